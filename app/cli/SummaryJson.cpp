#include "SummaryJson.hpp"

namespace meridian::app {

nlohmann::json toJson(const io::ImageSummary& s) {
  nlohmann::json j;
  j["kind"] = io::toString(s.kind);
  j["format"] = s.format;
  j["size"] = s.size;
  j["spacing"] = s.spacing ? nlohmann::json(*s.spacing) : nlohmann::json(nullptr);
  j["origin"] = s.origin ? nlohmann::json(*s.origin) : nlohmann::json(nullptr);
  j["direction"] = s.direction ? nlohmann::json(*s.direction) : nlohmann::json(nullptr);
  j["rescale"] = {{"slope", s.rescale[0]}, {"intercept", s.rescale[1]}};
  j["dtype"] = s.dtype;
  j["channels"] = s.channels;
  if (!s.modality.empty()) j["modality"] = s.modality;
  if (s.kind == io::ImageKind::Slide) {
    nlohmann::json levels = nlohmann::json::array();
    for (const auto& level : s.levels)
      levels.push_back({{"size", {level.width, level.height}}, {"downsample", level.downsample}});
    j["levels"] = levels;
    j["mpp"] = s.mpp ? nlohmann::json(*s.mpp) : nlohmann::json(nullptr);
  }
  return j;
}

}  // namespace meridian::app
