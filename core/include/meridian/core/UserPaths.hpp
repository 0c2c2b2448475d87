#pragma once
// Where Meridian keeps per-user files. Follows the XDG base-directory spec;
// MERIDIAN_DATA_DIR overrides it (tests, portable installs).

#include <filesystem>

namespace meridian::core {

/// $MERIDIAN_DATA_DIR, else $XDG_DATA_HOME/meridian, else ~/.local/share/meridian.
std::filesystem::path userDataDirectory();

/// userDataDirectory()/logs
std::filesystem::path userLogDirectory();

}  // namespace meridian::core
