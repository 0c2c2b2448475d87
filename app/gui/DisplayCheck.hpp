#pragma once
#include <string>

namespace meridian::app {

/// Empty when a GUI can start; otherwise why not, in words for the user. Checked before
/// QApplication exists, because Qt aborts the process when it cannot reach a display.
std::string whyNoDisplay();

}  // namespace meridian::app
