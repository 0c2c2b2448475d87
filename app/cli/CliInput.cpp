#include "CliInput.hpp"

#include <cstdio>

namespace meridian::app {
namespace {

nlohmann::json unreadableJson(const std::vector<io::UnreadableFile>& files) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& u : files) out.push_back({{"file", u.file.string()}, {"reason", u.reason}});
  return out;
}

nlohmann::json missingJson(const io::DicomSeriesLayout& layout) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : layout.missingPositions) out.push_back(p);
  return out;
}

}  // namespace

core::Result<io::OpenedInput> openCliInput(const std::filesystem::path& input, const io::OpenInputOptions& options) {
  auto opened = io::openInput(input, options);
  if (!opened) {
    auto e = opened.error();
    if (e.message.find("incomplete series") != std::string::npos && !options.allowIncomplete)
      e.message += " (--allow-incomplete to go on; the output then records what is missing)";
    return e;
  }
  for (const auto& w : opened.value().warnings) std::fprintf(stderr, "meridian-cli: warning: %s\n", w.c_str());
  return opened;
}

nlohmann::json seriesJson(const io::SeriesListing& series) {
  const auto& s = series.info;
  nlohmann::json j = {{"uid", s.seriesUid},
                      {"description", s.seriesDescription},
                      {"modality", s.modality},
                      {"series_number", s.seriesNumber},
                      {"patient_name", s.patientName},
                      {"patient_id", s.patientId},
                      {"study_uid", s.studyUid},
                      {"study_date", s.studyDate},
                      {"study_description", s.studyDescription},
                      {"complete", series.complete()},
                      {"unreadable", unreadableJson(series.unreadable())}};
  if (series.layout) {
    const auto& l = *series.layout;
    j["count"] = l.size[2];
    j["size"] = l.size;
    j["spacing"] = l.spacing;
    j["origin"] = l.haveGeometry ? nlohmann::json(l.origin) : nlohmann::json(nullptr);
    j["direction"] = l.haveGeometry ? nlohmann::json(l.direction) : nlohmann::json(nullptr);
    j["irregular_spacing"] = l.irregularSpacing;
    j["missing"] = missingJson(l);
    if (!l.complete()) j["incomplete_reason"] = l.incompleteReason();
    if (!l.warnings.empty()) j["warnings"] = l.warnings;
  } else {
    // The headers do not make one volume (a localizer mixed in, ...): what the index knows.
    j["count"] = s.files.size();
    j["size"] = {s.columns, s.rows, s.files.size()};
    j["spacing"] = nullptr;
    j["origin"] = nullptr;
    j["direction"] = nullptr;
    j["irregular_spacing"] = nullptr;
    j["missing"] = nlohmann::json::array();
    j["not_a_volume"] = series.layoutError;
  }
  return j;
}

nlohmann::json incompleteJson(const io::OpenedInput& input) {
  if (!input.series || input.series->complete()) return nullptr;
  const auto& layout = *input.series->layout;
  return {{"reason", layout.incompleteReason()},
          {"missing", missingJson(layout)},
          {"unreadable", unreadableJson(layout.unreadable)},
          {"allowed_by", "--allow-incomplete"}};
}

}  // namespace meridian::app
