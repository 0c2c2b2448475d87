#include "meridian/core/SharedLibrary.hpp"

#include <dlfcn.h>

#include <cstdlib>

namespace meridian::core {
namespace fs = std::filesystem;

fs::path executableDirectory() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : self.parent_path();
}

std::vector<fs::path> sharedLibraryCandidates(const std::string& fileName, const char* overrideVariable) {
  if (overrideVariable != nullptr)
    if (const char* path = std::getenv(overrideVariable); path != nullptr && *path) return {fs::path(path)};
  const fs::path bin = executableDirectory();
  return {bin / fileName, bin.parent_path() / "lib" / fileName};
}

core::Result<void*> openLibraryEntry(const std::vector<fs::path>& candidates, const std::string& entry,
                                     const std::string& what, const std::string& buildHint) {
  std::string tried;
  for (const auto& file : candidates) {
    std::error_code ec;
    if (!fs::exists(file, ec)) {
      tried += "\n  " + file.string() + ": no such file";
      continue;
    }
    void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      return makeError(ErrorCode::Internal,
                       what + " cannot be loaded: " + (why != nullptr ? why : file.string() + ": cannot be loaded"));
    }
    dlerror();
    void* symbol = dlsym(handle, entry.c_str());
    if (symbol == nullptr) {
      const char* why = dlerror();
      return makeError(ErrorCode::Internal, what + " cannot be loaded: " + file.string() + ": no " + entry + " (" +
                                                (why != nullptr ? why : "null symbol") + "): a library of another version");
    }
    return symbol;
  }
  const std::string name = candidates.empty() ? std::string("(none)") : candidates.front().filename().string();
  return makeError(ErrorCode::Internal, what + " " + name + " is missing; looked for:" + tried + "\n" + buildHint);
}

}  // namespace meridian::core
