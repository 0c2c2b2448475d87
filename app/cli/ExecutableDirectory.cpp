// executableDirectory(): compiled into meridian-cli and into the model command library (the
// demo finds its data beside the program); the one implementation is core's.

#include "Commands.hpp"
#include "meridian/core/SharedLibrary.hpp"

namespace meridian::app {

std::filesystem::path executableDirectory() { return core::executableDirectory(); }

}  // namespace meridian::app
