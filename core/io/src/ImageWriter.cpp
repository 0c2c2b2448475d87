#include "meridian/io/ImageWriter.hpp"

#include <unistd.h>

#include <system_error>
#include <vector>

#include "ItkImageIo.hpp"

namespace meridian::io {
namespace {

using core::ErrorCode;

itk::IOComponentEnum componentOf(core::PixelType t) {
  switch (t) {
    case core::PixelType::UInt8: return itk::IOComponentEnum::UCHAR;
    case core::PixelType::Int16: return itk::IOComponentEnum::SHORT;
    case core::PixelType::UInt16: return itk::IOComponentEnum::USHORT;
    case core::PixelType::Float32: return itk::IOComponentEnum::FLOAT;
  }
  return itk::IOComponentEnum::UNKNOWNCOMPONENTTYPE;
}

// "scan.nii.gz" -> ("scan", ".nii.gz"): ITK picks formats by the whole suffix.
std::pair<std::string, std::string> splitName(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  const auto dot = name.find('.', 1);
  return dot == std::string::npos ? std::make_pair(name, std::string()) : std::make_pair(name.substr(0, dot), name.substr(dot));
}

struct Layout {
  std::vector<unsigned> size;
  std::vector<double> spacing, origin;
  std::vector<std::vector<double>> direction;  // per axis
  core::PixelType type;
  int components;
};

core::Status writeWithItk(const Layout& layout, const void* data, const std::filesystem::path& path) {
  const detail::ItkFormat* format = detail::itkFormatForWriting(path);
  if (!format)
    return core::makeError(ErrorCode::Unsupported,
                           path.string() + ": cannot tell the image format from the extension '" + splitName(path).second + "'");
  // Same suffix, so ITK writes the same format; hidden and unique to this process.
  const auto [base, suffix] = splitName(path);
  const auto partial = path.parent_path() / ("." + base + ".partial-" + std::to_string(::getpid()) + suffix);
  const unsigned dims = static_cast<unsigned>(layout.size.size());
  try {
    itk::ImageIOBase::Pointer io = format->create();
    io->SetNumberOfDimensions(dims);
    itk::ImageIORegion region(dims);
    for (unsigned d = 0; d < dims; ++d) {
      io->SetDimensions(d, layout.size[d]);
      io->SetSpacing(d, layout.spacing[d]);
      io->SetOrigin(d, layout.origin[d]);
      io->SetDirection(d, layout.direction[d]);
      region.SetSize(d, layout.size[d]);
    }
    io->SetComponentType(componentOf(layout.type));
    io->SetNumberOfComponents(static_cast<unsigned>(layout.components));
    io->SetPixelType(layout.components == 3 ? itk::IOPixelEnum::RGB : itk::IOPixelEnum::SCALAR);
    io->SetIORegion(region);
    io->SetUseCompression(true);  // honoured by .nii.gz, .nrrd, .mha, .png
    io->SetFileName(partial.string());
    io->WriteImageInformation();
    io->Write(data);
  } catch (const itk::ExceptionObject& e) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    return core::makeError(ErrorCode::Io, path.string() + ": cannot write " + format->name + ": " + e.GetDescription());
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) {
    std::filesystem::remove(partial, ec);
    return core::makeError(ErrorCode::Io, path.string() + ": cannot move the finished file into place: " + ec.message());
  }
  return core::Ok{};
}

}  // namespace

core::Status writeImage(const core::Image2D& image, const std::filesystem::path& path) {
  if (image.empty()) return core::makeError(ErrorCode::InvalidArgument, "nothing to write: the image is empty");
  const auto spacing = image.spacing.value_or(std::array<double, 2>{1.0, 1.0});
  Layout layout{{static_cast<unsigned>(image.width()), static_cast<unsigned>(image.height())},
                {spacing[0], spacing[1]},
                {0.0, 0.0},
                {{1.0, 0.0}, {0.0, 1.0}},
                image.pixelType(),
                image.channels()};
  return writeWithItk(layout, image.data(), path);
}

core::Status writeVolume(const core::Volume& volume, const std::filesystem::path& path) {
  if (volume.voxelCount() == 0) return core::makeError(ErrorCode::InvalidArgument, "nothing to write: the volume is empty");
  const std::string suffix = splitName(path).second;
  if (suffix != ".nii" && suffix != ".nii.gz" && suffix != ".nrrd" && suffix != ".mha")
    return core::makeError(ErrorCode::Unsupported, path.string() + ": volumes are written as .nii, .nii.gz, .nrrd or .mha (not '" +
                                                       suffix + "')");
  Layout layout;
  layout.type = volume.pixelType();
  layout.components = volume.channels();
  for (int a = 0; a < 3; ++a) {
    layout.size.push_back(static_cast<unsigned>(volume.size()[a]));
    layout.spacing.push_back(volume.spacing[a]);
    layout.origin.push_back(volume.origin[a]);
    layout.direction.push_back({volume.direction[0 * 3 + a], volume.direction[1 * 3 + a], volume.direction[2 * 3 + a]});
  }
  return writeWithItk(layout, volume.data(), path);
}

}  // namespace meridian::io
