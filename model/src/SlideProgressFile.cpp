#include "SlideProgressFile.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "meridian/core/AtomicFile.hpp"

namespace meridian::model {
namespace {
constexpr const char* kFormat = "meridian-slide-progress/1";
}

core::Status saveSlideProgress(const std::filesystem::path& path, const SlideProgress& progress) {
  nlohmann::json patches = nlohmann::json::array();
  for (const auto& [cell, out] : progress.done) {
    nlohmann::json p = {{"cell", cell}, {"scores", out.scores}};
    if (!out.embedding.empty()) p["embedding"] = out.embedding;
    if (!out.map.empty()) p["map"] = out.map;
    patches.push_back(std::move(p));
  }
  const nlohmann::json doc = {{"format", kFormat},
                              {"model", progress.modelId},
                              {"slide", progress.slideId},
                              {"settings", progress.settings},
                              {"total", progress.total},
                              {"complete", progress.complete},
                              {"patches", std::move(patches)}};
  return core::writeFileAtomically(path, doc.dump());
}

core::Result<SlideProgress> loadSlideProgress(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::makeError(core::ErrorCode::NotFound, path.string() + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  SlideProgress progress;
  try {
    const auto doc = nlohmann::json::parse(text.str());
    if (doc.value("format", "") != kFormat)
      return core::makeError(core::ErrorCode::Unsupported, path.string() + ": not a " + kFormat + " file");
    progress.modelId = doc.at("model").get<std::string>();
    progress.slideId = doc.at("slide").get<std::string>();
    progress.settings = doc.at("settings").get<std::map<std::string, std::string>>();
    progress.total = doc.at("total").get<std::size_t>();
    progress.complete = doc.at("complete").get<bool>();
    for (const auto& p : doc.at("patches")) {
      PatchOutput out;
      out.scores = p.at("scores").get<std::vector<float>>();
      if (p.contains("embedding")) out.embedding = p.at("embedding").get<std::vector<float>>();
      if (p.contains("map")) out.map = p.at("map").get<std::vector<float>>();
      progress.done[p.at("cell").get<int>()] = std::move(out);
    }
  } catch (const std::exception& e) {
    return core::makeError(core::ErrorCode::Corrupt, path.string() + ": " + e.what());
  }
  return progress;
}

std::string describeProgressMismatch(const SlideProgress& saved, const SlideProgress& wanted) {
  if (saved.modelId != wanted.modelId) return "another model (" + saved.modelId + " vs " + wanted.modelId + ")";
  if (saved.slideId != wanted.slideId) return "another slide (" + saved.slideId + " vs " + wanted.slideId + ")";
  for (const auto& [name, value] : wanted.settings) {
    const auto it = saved.settings.find(name);
    const std::string old = it == saved.settings.end() ? "(unset)" : it->second;
    if (old != value) return "other settings (" + name + " " + old + " vs " + value + ")";
  }
  if (saved.settings.size() != wanted.settings.size()) return "other settings (a different set of settings)";
  if (saved.total != wanted.total) return "another patch count";
  return "";
}

}  // namespace meridian::model
