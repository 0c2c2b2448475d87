#include "meridian/io/ImageWriter.hpp"

#include <unistd.h>

#include <system_error>

#include "ItkImageIo.hpp"

namespace meridian::io {
namespace {

itk::IOComponentEnum componentOf(core::PixelType t) {
  switch (t) {
    case core::PixelType::UInt8: return itk::IOComponentEnum::UCHAR;
    case core::PixelType::Int16: return itk::IOComponentEnum::SHORT;
    case core::PixelType::UInt16: return itk::IOComponentEnum::USHORT;
    case core::PixelType::Float32: return itk::IOComponentEnum::FLOAT;
  }
  return itk::IOComponentEnum::UNKNOWNCOMPONENTTYPE;
}

}  // namespace

core::Status writeImage(const core::Image2D& image, const std::filesystem::path& path) {
  using core::ErrorCode;
  if (image.empty()) return core::makeError(ErrorCode::InvalidArgument, "nothing to write: the image is empty");
  const detail::ItkFormat* format = detail::itkFormatForWriting(path);
  if (!format)
    return core::makeError(ErrorCode::Unsupported, path.string() + ": cannot tell the image format from the extension '" +
                                                       path.extension().string() + "'");
  // Same extension, so ITK writes the same format; hidden and unique to this process.
  const auto partial = path.parent_path() /
                       ("." + path.stem().string() + ".partial-" + std::to_string(::getpid()) + path.extension().string());
  try {
    itk::ImageIOBase::Pointer io = format->create();
    io->SetNumberOfDimensions(2);
    io->SetDimensions(0, static_cast<unsigned>(image.width()));
    io->SetDimensions(1, static_cast<unsigned>(image.height()));
    const auto spacing = image.spacing.value_or(std::array<double, 2>{1.0, 1.0});
    io->SetSpacing(0, spacing[0]);
    io->SetSpacing(1, spacing[1]);
    io->SetComponentType(componentOf(image.pixelType()));
    io->SetNumberOfComponents(static_cast<unsigned>(image.channels()));
    io->SetPixelType(image.channels() == 3 ? itk::IOPixelEnum::RGB : itk::IOPixelEnum::SCALAR);
    itk::ImageIORegion region(2);
    region.SetSize(0, image.width());
    region.SetSize(1, image.height());
    io->SetIORegion(region);
    io->SetFileName(partial.string());
    io->WriteImageInformation();
    io->Write(image.data());
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

}  // namespace meridian::io
