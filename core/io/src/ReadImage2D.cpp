#include "meridian/io/ReadImage2D.hpp"

#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace meridian::io {

core::Result<core::Image2D> readImage2D(const std::filesystem::path& path) {
  auto opened = ReaderRegistry::builtin().open(path);
  if (!opened) return opened.error();
  return representativeImage(opened.value());
}

}  // namespace meridian::io
