#pragma once
// Runs a peer script from tests/model with Debian's /usr/bin/python3 (numpy, sklearn).

#include <cstdlib>
#include <filesystem>
#include <string>

namespace meridian::model::test {

/// Exit status of `python3 tests/model/<script> <arguments>` (quoted), 0 on success.
inline int runPeerScript(const std::string& script, const std::string& arguments) {
  const std::string command = std::string("'") + MERIDIAN_PEER_PYTHON + "' '" + MERIDIAN_MODEL_TEST_SOURCE_DIR + "/" +
                              script + "' " + arguments;
  return std::system(command.c_str());
}

inline std::string quoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";
}

}  // namespace meridian::model::test
