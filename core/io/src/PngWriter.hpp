#pragma once
// PNG encoding into memory with libpng. ITK's PNG writer is not used: on a full disk it
// died with "double free detected" inside its libpng error path. Encoding into a buffer
// leaves every file-system error to core::AtomicFile, which checks each write.

#include <string>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::io {

/// The PNG bytes of an 8- or 16-bit unsigned, 1- or 3-channel image (16-bit big-endian, as
/// PNG stores it). Other pixel types are Unsupported: PNG cannot hold them.
core::Result<std::string> encodePng(const core::Image2D& image);

}  // namespace meridian::io
