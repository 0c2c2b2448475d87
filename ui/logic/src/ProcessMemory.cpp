#include "meridian/ui/ProcessMemory.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace meridian::ui {

std::uint64_t residentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  const long page = sysconf(_SC_PAGESIZE);
  return resident * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

std::string formatBytes(std::uint64_t bytes) {
  char text[32];
  const double mb = static_cast<double>(bytes) / (1024.0 * 1024.0);
  if (mb >= 1024.0)
    std::snprintf(text, sizeof text, "%.1f GB", mb / 1024.0);
  else
    std::snprintf(text, sizeof text, "%.0f MB", mb);
  return text;
}

}  // namespace meridian::ui
