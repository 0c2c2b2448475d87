#include <cstdio>
#include <iostream>

#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "SummaryJson.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace meridian::app {

int runInfo(const std::filesystem::path& path, bool json) {
  auto opened = io::ReaderRegistry::builtin().open(path);
  if (!opened) {
    std::fprintf(stderr, "meridian-cli: %s\n", opened.error().message.c_str());
    return kExitBadInput;
  }
  const nlohmann::json summary = toJson(io::summarize(opened.value()));
  if (json) {
    std::cout << summary.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << path.string() << "\n";
  for (const auto& [key, value] : summary.items()) std::cout << "  " << key << ": " << value.dump() << "\n";
  return kExitOk;
}

}  // namespace meridian::app
