#pragma once
// Memory this process holds (resident set), for the status bar. Plain C++: Linux's
// /proc/self/statm; 0 where it cannot be read.

#include <cstdint>
#include <string>

namespace meridian::ui {

std::uint64_t residentBytes();
/// "1.2 GB", "356 MB".
std::string formatBytes(std::uint64_t bytes);

}  // namespace meridian::ui
