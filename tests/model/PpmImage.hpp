#pragma once
// Reads the binary PPM (P6, 8-bit RGB) tiles that make_ihc_tiles.py writes: the model-only
// build has no core/io, and P6 is a header plus raw bytes.

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::model::test {

inline core::Result<core::Image2D> readPpm(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string magic;
  int width = 0, height = 0, maxValue = 0;
  in >> magic >> width >> height >> maxValue;
  in.get();  // the single whitespace before the pixels
  if (!in || magic != "P6" || maxValue != 255)
    return core::makeError(core::ErrorCode::Unsupported, path.string() + ": not an 8-bit binary PPM");
  auto image = core::Image2D::allocate(width, height, 3, core::PixelType::UInt8);
  if (!image) return image.error();
  in.read(reinterpret_cast<char*>(image.value().data()), static_cast<std::streamsize>(image.value().sizeInBytes()));
  if (!in) return core::makeError(core::ErrorCode::Corrupt, path.string() + ": truncated");
  image.value().photometric = "RGB";
  return image;
}

}  // namespace meridian::model::test
