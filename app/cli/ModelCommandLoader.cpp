#include "ModelCommandLoader.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

namespace meridian::app {
namespace fs = std::filesystem;

namespace {

constexpr const char* kLibraryName = "libmeridian_cli_model.so";

core::Result<const ModelCommands*> open(const fs::path& file) {
  // RTLD_NOW: a missing symbol is reported here, not as a crash in the middle of a command.
  // RTLD_LOCAL: the library's copies of core/model stay out of the global symbol scope.
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return core::makeError(core::ErrorCode::Internal, why != nullptr ? why : file.string() + ": cannot be loaded");
  }
  dlerror();
  using Entry = const ModelCommands* (*)();
  auto entry = reinterpret_cast<Entry>(dlsym(handle, MERIDIAN_CLI_MODEL_ENTRY));
  if (entry == nullptr) {
    const char* why = dlerror();
    return core::makeError(core::ErrorCode::Internal, file.string() + ": no " + MERIDIAN_CLI_MODEL_ENTRY + " (" +
                                                          (why != nullptr ? why : "null symbol") +
                                                          "): a model command library of another version");
  }
  const ModelCommands* table = entry();
  bool same = table != nullptr && table->tableSize == sizeof(ModelCommands);
  for (std::size_t i = 0; same && i < std::size(kModelCommandOptionSizes); ++i)
    same = table->optionSizes[i] == kModelCommandOptionSizes[i];
  if (!same)
    return core::makeError(core::ErrorCode::Internal,
                           file.string() + ": built from other sources than this meridian-cli (its option structs differ)");
  return table;  // the handle stays open for the life of the process
}

}  // namespace

std::vector<fs::path> modelLibraryCandidates() {
  if (const char* overridePath = std::getenv("MERIDIAN_CLI_MODEL_LIBRARY"); overridePath != nullptr && *overridePath)
    return {fs::path(overridePath)};
  const fs::path bin = executableDirectory();
  return {bin / kLibraryName, bin.parent_path() / "lib" / kLibraryName};
}

core::Result<const ModelCommands*> loadModelCommands() {
  static const core::Result<const ModelCommands*> loaded = []() -> core::Result<const ModelCommands*> {
    std::string tried;
    for (const auto& candidate : modelLibraryCandidates()) {
      std::error_code ec;
      if (!fs::exists(candidate, ec)) {
        tried += "\n  " + candidate.string() + ": no such file";
        continue;
      }
      auto table = open(candidate);
      if (table) return table;
      // A library that is there but does not load (a missing LibTorch, a truncated file) is the
      // answer: do not fall through to another copy.
      return core::makeError(core::ErrorCode::Internal,
                             "the model commands' library cannot be loaded: " + table.error().message);
    }
    return core::makeError(core::ErrorCode::Internal,
                           std::string("the model commands' library ") + kLibraryName + " is missing; looked for:" +
                               tried + "\nBuild it (target meridian_cli_model) or reinstall Meridian.");
  }();
  return loaded;
}

}  // namespace meridian::app
