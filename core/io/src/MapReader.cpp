#include "meridian/io/MapReader.hpp"

#include "ItkImageIo.hpp"
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
  const detail::ItkFormat* format = detail::itkFormatForReading(path);
  return format != nullptr && !format->photo;
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
  // One plane: read the geometry the registry's Image2D left out from the file's header.
  const detail::ItkFormat* format = detail::itkFormatForReading(path);
  if (!format || format->photo)
    return makeError(ErrorCode::Unsupported,
                     name + ": " + opened.value().format +
                         " stores no origin or direction; write maps as NIfTI (.nii.gz), NRRD or MHA");
  auto volume = core::Volume::allocate({image->width(), image->height(), 1}, core::PixelType::Float32,
                                       core::PixelBuffer::Init::Uninitialized);
  if (!volume) return volume.error();
  core::Volume& out = volume.value();
  float* dst = reinterpret_cast<float*>(out.data());
  for (int y = 0; y < image->height(); ++y)
    for (int x = 0; x < image->width(); ++x) *dst++ = static_cast<float>(image->valueAt(x, y));
  try {
    itk::ImageIOBase::Pointer io = format->create();
    io->SetFileName(name);
    io->ReadImageInformation();
    const unsigned dims = std::min(io->GetNumberOfDimensions(), 3u);
    for (unsigned a = 0; a < dims; ++a) {
      out.spacing[a] = io->GetSpacing(a);
      out.origin[a] = io->GetOrigin(a);
      const auto axis = io->GetDirection(a);  // patient-space direction of voxel axis a
      for (unsigned r = 0; r < 3; ++r) out.direction[r * 3 + a] = r < axis.size() ? axis[r] : (r == a ? 1.0 : 0.0);
    }
  } catch (const itk::ExceptionObject& e) {
    return makeError(ErrorCode::Corrupt, name + ": cannot read the map's geometry: " + e.GetDescription());
  }
  return out;
}

}  // namespace meridian::io
