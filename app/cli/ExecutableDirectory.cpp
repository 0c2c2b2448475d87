// executableDirectory(): compiled into meridian-cli (to find the model command library) and into
// that library (the demo finds its data beside the program).

#include "Commands.hpp"

namespace meridian::app {

std::filesystem::path executableDirectory() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : self.parent_path();
}

}  // namespace meridian::app
