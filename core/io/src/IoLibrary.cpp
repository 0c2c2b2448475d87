#include "IoLibrary.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

namespace meridian::io::detail {
namespace fs = std::filesystem;

std::vector<fs::path> ioLibraryCandidates(const std::string& fileName) {
  if (const char* dir = std::getenv("MERIDIAN_IO_LIBRARY_DIR"); dir != nullptr && *dir) return {fs::path(dir) / fileName};
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> out;
  if (!ec) {
    out.push_back(self.parent_path() / fileName);
    out.push_back(self.parent_path().parent_path() / "lib" / fileName);
  }
#ifdef MERIDIAN_IO_BUILD_LIBRARY_DIR
  out.push_back(fs::path(MERIDIAN_IO_BUILD_LIBRARY_DIR) / fileName);
#endif
  return out;
}

core::Result<const void*> loadIoLibrary(const std::string& fileName, const char* entry, std::size_t tableSize) {
  std::string tried;
  for (const auto& candidate : ioLibraryCandidates(fileName)) {
    std::error_code ec;
    if (!fs::exists(candidate, ec)) {
      tried += "\n  " + candidate.string() + ": no such file";
      continue;
    }
    // RTLD_NOW: a missing symbol shows here, not as a crash in the middle of a read.
    // RTLD_LOCAL: the library's own copy of meridian_core stays out of the global scope.
    void* handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      return core::makeError(core::ErrorCode::Internal,
                             "the reader library " + fileName + " cannot be loaded: " +
                                 (why != nullptr ? why : candidate.string()) + "; reinstall Meridian");
    }
    dlerror();
    using Entry = const void* (*)();
    auto function = reinterpret_cast<Entry>(dlsym(handle, entry));
    const void* table = function != nullptr ? function() : nullptr;
    std::size_t size = 0;
    if (table != nullptr) std::memcpy(&size, table, sizeof size);
    if (table == nullptr || size != tableSize)
      return core::makeError(core::ErrorCode::Internal, candidate.string() +
                                                            ": a reader library of another Meridian build (its " +
                                                            entry + " table differs); reinstall Meridian");
    return table;  // the handle stays open for the life of the process: its code backs objects handed out
  }
  return core::makeError(core::ErrorCode::Internal, "the reader library " + fileName + " is missing; looked for:" + tried +
                                                        "\nBuild it or reinstall Meridian.");
}

}  // namespace meridian::io::detail
