#include "ModelCommandLoader.hpp"

#include "meridian/core/SharedLibrary.hpp"

namespace meridian::app {
namespace fs = std::filesystem;

std::vector<fs::path> modelLibraryCandidates() {
  return core::sharedLibraryCandidates("libmeridian_cli_model.so", "MERIDIAN_CLI_MODEL_LIBRARY");
}

core::Result<const ModelCommands*> loadModelCommands() {
  static const core::Result<const ModelCommands*> loaded = []() -> core::Result<const ModelCommands*> {
    const auto candidates = modelLibraryCandidates();
    auto symbol = core::openLibraryEntry(candidates, MERIDIAN_CLI_MODEL_ENTRY, "the model commands' library libmeridian_cli_model.so",
                                         "Build it (target meridian_cli_model) or reinstall Meridian.");
    if (!symbol) return symbol.error();
    using Entry = const ModelCommands* (*)();
    const ModelCommands* table = reinterpret_cast<Entry>(symbol.value())();
    bool same = table != nullptr && table->tableSize == sizeof(ModelCommands);
    for (std::size_t i = 0; same && i < std::size(kModelCommandOptionSizes); ++i)
      same = table->optionSizes[i] == kModelCommandOptionSizes[i];
    same = same && table->evaluateSuiteOptionsSize == sizeof(EvaluateSuiteOptions);
    if (!same)
      return core::makeError(core::ErrorCode::Internal,
                             "the model commands' library cannot be loaded: it was built from other sources than "
                             "this meridian-cli (its option structs differ)");
    return table;
  }();
  return loaded;
}

}  // namespace meridian::app
