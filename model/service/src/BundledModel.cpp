#include "meridian/service/BundledModel.hpp"

#include <cstdlib>

#include "meridian/core/SharedLibrary.hpp"

namespace meridian::service {
namespace fs = std::filesystem;

std::vector<fs::path> bundledModelCandidates() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("MERIDIAN_MODEL"); env != nullptr && *env) candidates.emplace_back(env);
  const fs::path bin = core::executableDirectory();
  candidates.push_back(bin.parent_path().parent_path() / "resources" / "model");
  candidates.push_back(bin.parent_path() / "share" / "meridian" / "model");
  return candidates;
}

std::optional<fs::path> bundledModelFolder() {
  for (const auto& dir : bundledModelCandidates()) {
    std::error_code ec;
    if (fs::exists(dir / "model.json", ec)) return fs::absolute(dir, ec).lexically_normal();
  }
  return std::nullopt;
}

}  // namespace meridian::service
