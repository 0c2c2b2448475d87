#include "meridian/io/MapReader.hpp"

#include "ItkLibrary.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace meridian::io {
namespace {

using core::ErrorCode;
using core::makeError;

// One channel of any type -> Float32, geometry kept.
core::Result<core::Volume> toFloatVolume(const core::Volume& in) {
  auto out = core::Volume::allocate(in.size(), core::PixelType::Float32, core::PixelBuffer::Init::Uninitialized);
  if (!out) return out.error();
  core::Volume& v = out.value();
  float* dst = reinterpret_cast<float*>(v.data());
  const auto& n = in.size();
  for (int k = 0; k < n[2]; ++k)
    for (int j = 0; j < n[1]; ++j)
      for (int i = 0; i < n[0]; ++i) *dst++ = static_cast<float>(in.valueAt(i, j, k));
  v.spacing = in.spacing;
  v.origin = in.origin;
  v.direction = in.direction;
  v.modality = in.modality;
  return out;
}

}  // namespace

bool storesGeometry(const std::filesystem::path& path) {
  auto itk = detail::itkLibrary();
  return itk && itk.value()->storesGeometry(path);
}

core::Result<core::Volume> readMap(const std::filesystem::path& path) {
  const std::string name = path.string();
  auto opened = ReaderRegistry::builtin().open(path);
  if (!opened) return opened.error();
  const auto& content = opened.value().content;
  if (const auto* volume = std::get_if<core::Volume>(&content)) {
    if (volume->channels() != 1)
      return makeError(ErrorCode::Unsupported,
                       name + ": a map has one channel, this file " + std::to_string(volume->channels()));
    return volume->pixelType() == core::PixelType::Float32 ? core::Result<core::Volume>(*volume)
                                                           : toFloatVolume(*volume);
  }
  const auto* image = std::get_if<core::Image2D>(&content);
  if (!image) return makeError(ErrorCode::Unsupported, name + ": a whole slide is not a map");
  if (image->channels() != 1)
    return makeError(ErrorCode::Unsupported,
                     name + ": a map has one channel, this file " + std::to_string(image->channels()));
  // One plane: the geometry the registry's Image2D left out, from the file's header (ITK).
  auto itk = detail::itkLibrary();
  if (!itk) return core::makeError(itk.error().code, name + ": " + itk.error().message);
  auto volume = core::Volume::allocate({image->width(), image->height(), 1}, core::PixelType::Float32,
                                       core::PixelBuffer::Init::Uninitialized);
  if (!volume) return volume.error();
  core::Volume& out = volume.value();
  if (auto geometry = itk.value()->readMapGeometry(path, opened.value().format, out); !geometry) return geometry.error();
  float* dst = reinterpret_cast<float*>(out.data());
  for (int y = 0; y < image->height(); ++y)
    for (int x = 0; x < image->width(); ++x) *dst++ = static_cast<float>(image->valueAt(x, y));
  return out;
}

}  // namespace meridian::io
