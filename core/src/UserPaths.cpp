#include "meridian/core/UserPaths.hpp"

#include <cstdlib>

namespace meridian::core {
namespace {
std::filesystem::path fromEnv(const char* name) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::filesystem::path(v) : std::filesystem::path();
}
}  // namespace

std::filesystem::path userDataDirectory() {
  if (auto p = fromEnv("MERIDIAN_DATA_DIR"); !p.empty()) return p;
  if (auto p = fromEnv("XDG_DATA_HOME"); !p.empty()) return p / "meridian";
  if (auto p = fromEnv("HOME"); !p.empty()) return p / ".local" / "share" / "meridian";
  return std::filesystem::temp_directory_path() / "meridian";
}

std::filesystem::path userLogDirectory() { return userDataDirectory() / "logs"; }

}  // namespace meridian::core
