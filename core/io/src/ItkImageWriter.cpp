// The ITK half of ImageWriter (NIfTI, NRRD, MetaImage, TIFF, BMP), compiled into
// libmeridian_io_itk.so, which is loaded on first use (ItkLibrary.hpp): writing PNG, or
// nothing at all, never maps ITK.

#include <cstring>
#include <vector>

#include "ItkImageIo.hpp"
#include "ItkLibrary.hpp"
#include "meridian/core/AtomicFile.hpp"

namespace meridian::io::detail {
namespace {

using core::ErrorCode;
namespace fs = std::filesystem;

itk::IOComponentEnum componentOf(core::PixelType t) {
  switch (t) {
    case core::PixelType::UInt8: return itk::IOComponentEnum::UCHAR;
    case core::PixelType::Int16: return itk::IOComponentEnum::SHORT;
    case core::PixelType::UInt16: return itk::IOComponentEnum::USHORT;
    case core::PixelType::Float32: return itk::IOComponentEnum::FLOAT;
  }
  return itk::IOComponentEnum::UNKNOWNCOMPONENTTYPE;
}

struct Layout {
  std::vector<unsigned> size;
  std::vector<double> spacing, origin;
  std::vector<std::vector<double>> direction;  // per axis
  core::PixelType type;
  int components;
  std::size_t bytes;
};

// ITK reports some write errors and prints others (NIfTI, MetaImage and BMP left a
// truncated file and returned success on a full disk). So the temporary is read back with
// the same ImageIO and compared byte for byte before it is renamed into place: an output
// that is not exactly what was meant never appears under the target's name.
core::Status verifyWritten(const ItkFormat& format, const fs::path& file, const Layout& layout,
                           const void* data, const fs::path& target) {
  auto incomplete = [&](const std::string& why) {
    return core::makeError(ErrorCode::Io, target.string() + ": the " + format.name +
                                              " file did not reach the disk intact (" + why + "; disk full?)");
  };
  try {
    itk::ImageIOBase::Pointer io = format.create();
    io->SetFileName(file.string());
    io->ReadImageInformation();
    const unsigned dims = static_cast<unsigned>(layout.size.size());
    if (io->GetNumberOfDimensions() < dims || io->GetComponentType() != componentOf(layout.type) ||
        io->GetNumberOfComponents() != static_cast<unsigned>(layout.components))
      return incomplete("its header reads back differently");
    itk::ImageIORegion region(io->GetNumberOfDimensions());
    for (unsigned d = 0; d < io->GetNumberOfDimensions(); ++d) {
      const unsigned expected = d < dims ? layout.size[d] : 1u;
      if (io->GetDimensions(d) != expected) return incomplete("its size reads back differently");
      region.SetSize(d, expected);
    }
    if (io->GetImageSizeInBytes() != layout.bytes) return incomplete("its size reads back differently");
    io->SetIORegion(region);
    std::vector<char> back(layout.bytes);
    io->Read(back.data());
    if (std::memcmp(back.data(), data, layout.bytes) != 0) return incomplete("its pixels read back differently");
  } catch (const itk::ExceptionObject& e) {
    return incomplete(std::string("it cannot be read back: ") + e.GetDescription());
  } catch (const std::exception& e) {
    return incomplete(std::string("it cannot be read back: ") + e.what());
  }
  return core::Ok{};
}

core::Status writeWithItk(const ItkFormat& format, const Layout& layout, const void* data,
                          const fs::path& path, const std::string& suffix, const core::OutputPolicy& policy) {
  // Same suffix as the target's format, so ITK writes that format into the temporary.
  auto out = core::AtomicFile::create(path, policy, suffix);
  if (!out) return out.error();
  const fs::path partial = out.value().temporaryPath();
  const unsigned dims = static_cast<unsigned>(layout.size.size());
  try {
    itk::ImageIOBase::Pointer io = format.create();
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
    io->SetUseCompression(true);  // honoured by .nii.gz, .nrrd, .mha
    io->SetFileName(partial.string());
    io->WriteImageInformation();
    io->Write(data);
  } catch (const itk::ExceptionObject& e) {
    return core::makeError(ErrorCode::Io, path.string() + ": cannot write " + format.name +
                                              " (disk full or folder not writable?): " + e.GetDescription());
  } catch (const std::exception& e) {
    return core::makeError(ErrorCode::Io, path.string() + ": cannot write " + format.name +
                                              " (disk full or folder not writable?): " + e.what());
  }
  if (auto intact = verifyWritten(format, partial, layout, data, path); !intact) return intact;
  return out.value().commit();  // fsync + rename; the AtomicFile removes the temporary on failure
}

}  // namespace

core::Status writeImageWithItk(const core::Image2D& image, const fs::path& path, const std::string& suffix,
                               const core::OutputPolicy& policy) {
  const ItkFormat* format = itkFormatForWriting("image" + suffix);
  if (!format || format->name == "PNG")
    return core::makeError(ErrorCode::Unsupported,
                           path.string() + ": cannot tell the image format from the extension '" + suffix +
                               "' (.png, .tif, .bmp, .nii, .nii.gz, .nrrd, .mha)");
  const auto spacing = image.spacing.value_or(std::array<double, 2>{1.0, 1.0});
  Layout layout{{static_cast<unsigned>(image.width()), static_cast<unsigned>(image.height())},
                {spacing[0], spacing[1]},
                {0.0, 0.0},
                {{1.0, 0.0}, {0.0, 1.0}},
                image.pixelType(),
                image.channels(),
                image.sizeInBytes()};
  return writeWithItk(*format, layout, image.data(), path, suffix, policy);
}

core::Status writeVolumeWithItk(const core::Volume& volume, const fs::path& path, const std::string& suffix,
                                const core::OutputPolicy& policy) {
  const ItkFormat* format = itkFormatForWriting("volume" + suffix);
  if (!format) return core::makeError(ErrorCode::Internal, "no ITK writer for " + suffix);
  Layout layout;
  layout.type = volume.pixelType();
  layout.components = volume.channels();
  layout.bytes = volume.sizeInBytes();
  for (int a = 0; a < 3; ++a) {
    layout.size.push_back(static_cast<unsigned>(volume.size()[a]));
    layout.spacing.push_back(volume.spacing[a]);
    layout.origin.push_back(volume.origin[a]);
    layout.direction.push_back({volume.direction[0 * 3 + a], volume.direction[1 * 3 + a], volume.direction[2 * 3 + a]});
  }
  return writeWithItk(*format, layout, volume.data(), path, suffix, policy);
}

}  // namespace meridian::io::detail
