#include "ItkImageReader.hpp"

#include <algorithm>
#include <cstring>
#include <system_error>

#include <itkBMPImageIO.h>
#include <itkMetaDataObject.h>

#include "DecodedSizeLimit.hpp"
#include "ItkImageIo.hpp"
#include "VolumeHeaderCheck.hpp"
#include "meridian/io/ImageSummary.hpp"

namespace meridian::io {
namespace {

// Bytes the file must hold for the pixels, at least: ITK expands a palette BMP to RGB on
// reading, but the file stores a palette index of 1 to 8 bits per pixel (ITK does not say
// which), so only the 1-bit size is certain.
std::uint64_t storedPixelBytes(const itk::ImageIOBase& io, const std::string& format, std::uint64_t decoded) {
  const auto* bmp = dynamic_cast<const itk::BMPImageIO*>(&io);
  if (format == "BMP" && bmp != nullptr && !bmp->GetColorPalette().empty())
    return decoded / std::max(1u, io.GetNumberOfComponents()) / 8;
  return decoded;
}

using core::ErrorCode;
using core::makeError;
using core::PixelType;
using Component = itk::IOComponentEnum;

PixelType storedType(Component c) {
  switch (c) {
    case Component::UCHAR: return PixelType::UInt8;
    case Component::SHORT: return PixelType::Int16;
    case Component::USHORT: return PixelType::UInt16;
    default: return PixelType::Float32;  // everything else is widened to float
  }
}

template <class Src, class Dst>
void copyComponents(const char* raw, std::size_t pixels, int srcComps, int dstComps, std::uint8_t* out) {
  const Src* in = reinterpret_cast<const Src*>(raw);
  Dst* dst = reinterpret_cast<Dst*>(out);
  for (std::size_t p = 0; p < pixels; ++p)
    for (int c = 0; c < dstComps; ++c) dst[p * dstComps + c] = static_cast<Dst>(in[p * srcComps + c]);
}

template <class Src>
void convertFrom(const char* raw, std::size_t pixels, int srcComps, int dstComps, PixelType dst, std::uint8_t* out) {
  switch (dst) {
    case PixelType::UInt8: return copyComponents<Src, std::uint8_t>(raw, pixels, srcComps, dstComps, out);
    case PixelType::Int16: return copyComponents<Src, std::int16_t>(raw, pixels, srcComps, dstComps, out);
    case PixelType::UInt16: return copyComponents<Src, std::uint16_t>(raw, pixels, srcComps, dstComps, out);
    case PixelType::Float32: return copyComponents<Src, float>(raw, pixels, srcComps, dstComps, out);
  }
}

bool convert(Component src, const char* raw, std::size_t pixels, int srcComps, int dstComps, PixelType dst,
             std::uint8_t* out) {
  switch (src) {
    case Component::UCHAR: convertFrom<std::uint8_t>(raw, pixels, srcComps, dstComps, dst, out); return true;
    case Component::CHAR: convertFrom<std::int8_t>(raw, pixels, srcComps, dstComps, dst, out); return true;
    case Component::USHORT: convertFrom<std::uint16_t>(raw, pixels, srcComps, dstComps, dst, out); return true;
    case Component::SHORT: convertFrom<std::int16_t>(raw, pixels, srcComps, dstComps, dst, out); return true;
    case Component::UINT: convertFrom<std::uint32_t>(raw, pixels, srcComps, dstComps, dst, out); return true;
    case Component::INT: convertFrom<std::int32_t>(raw, pixels, srcComps, dstComps, dst, out); return true;
    case Component::ULONG: convertFrom<unsigned long>(raw, pixels, srcComps, dstComps, dst, out); return true;
    case Component::LONG: convertFrom<long>(raw, pixels, srcComps, dstComps, dst, out); return true;
    case Component::ULONGLONG: convertFrom<unsigned long long>(raw, pixels, srcComps, dstComps, dst, out); return true;
    case Component::LONGLONG: convertFrom<long long>(raw, pixels, srcComps, dstComps, dst, out); return true;
    case Component::FLOAT: convertFrom<float>(raw, pixels, srcComps, dstComps, dst, out); return true;
    case Component::DOUBLE: convertFrom<double>(raw, pixels, srcComps, dstComps, dst, out); return true;
    default: return false;
  }
}

std::string dicomTag(itk::ImageIOBase& io, const char* key) {
  std::string value;
  itk::ExposeMetaData<std::string>(io.GetMetaDataDictionary(), key, value);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.pop_back();
  return value;
}

// "40\400" -> 40: DICOM multi-valued strings; the first value is the default.
std::optional<double> firstNumber(const std::string& s) {
  try {
    std::size_t used = 0;
    const double v = std::stod(s.substr(0, s.find('\\')), &used);
    return used > 0 ? std::optional<double>(v) : std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

double ItkImageReader::detect(const std::filesystem::path& path) const {
  return detail::itkFormatForReading(path) ? 0.5 : 0.0;
}

core::Result<OpenedImage> ItkImageReader::open(const std::filesystem::path& path) const {
  const detail::ItkFormat* format = detail::itkFormatForReading(path);
  if (!format) return makeError(ErrorCode::Unsupported, "no ITK image reader recognises this file");
  return openAs(path, *format);
}

core::Result<OpenedImage> ItkImageReader::openDicomJpeg2000(const std::filesystem::path& path) const {
  return openAs(path, detail::itkDicomJpeg2000Format());
}

namespace {

// What ITK's ImageIO read from the header, after Meridian's own checks (VolumeHeaderCheck,
// the decoded-size rule): everything but the pixels.
struct ItkHeader {
  itk::ImageIOBase::Pointer io;
  unsigned dims = 0;
  std::array<int, 3> size{1, 1, 1};
  int srcComps = 0, dstComps = 0;
  Component component = Component::UNKNOWNCOMPONENTTYPE;
  PixelType type = PixelType::UInt8;
  std::uint64_t decodedBytes = 0;
};

core::Result<ItkHeader> readHeader(const std::filesystem::path& path, const detail::ItkFormat& format) {
  // ITK trusts these headers (NaN geometry aborts it, detached data names any path, a
  // damaged stream reads as zeros): Meridian's own checks run first.
  if (auto header = detail::checkVolumeHeader(path, format.name); !header) return header.error();
  ItkHeader h;
  h.io = format.create();
  itk::ImageIOBase& io = *h.io;
  io.SetFileName(path.string());
  io.ReadImageInformation();
  h.dims = io.GetNumberOfDimensions();
  if (h.dims < 2 || h.dims > 4)
    return makeError(ErrorCode::Unsupported, std::to_string(h.dims) + "-dimensional images are not supported");
  if (h.dims == 4 && io.GetDimensions(3) > 1)
    return makeError(ErrorCode::Unsupported, "4D (time-series) volumes are not supported yet");
  for (unsigned i = 0; i < std::min(h.dims, 3u); ++i) {
    const auto d = io.GetDimensions(i);
    if (d == 0 || d > (1u << 30)) return makeError(ErrorCode::Corrupt, "image dimension " + std::to_string(d) + " is impossible");
    h.size[i] = static_cast<int>(d);
  }
  h.srcComps = static_cast<int>(io.GetNumberOfComponents());
  h.component = io.GetComponentType();
  std::error_code ec;
  const std::uint64_t fileBytes = std::filesystem::file_size(path, ec);
  if (ec) return makeError(ErrorCode::Io, "cannot read: " + ec.message());
  std::string claimed;
  for (unsigned i = 0; i < std::min(h.dims, 3u); ++i) claimed += (i ? "x" : "") + std::to_string(h.size[i]);
  // Our own product, not GetImageSizeInBytes(): ITK's wraps silently past 2^64.
  auto decodedBytes = detail::claimedBytes({static_cast<std::uint64_t>(h.size[0]), static_cast<std::uint64_t>(h.size[1]),
                                            static_cast<std::uint64_t>(h.size[2]), static_cast<std::uint64_t>(h.srcComps),
                                            static_cast<std::uint64_t>(io.GetComponentSize())},
                                           claimed);
  if (!decodedBytes) return decodedBytes.error();
  h.decodedBytes = decodedBytes.value();
  if (auto fits = detail::checkDecodedSize(h.decodedBytes, fileBytes, detail::kVolumeLimit, claimed); !fits)
    return fits.error();
  if (storedPixelBytes(io, format.name, h.decodedBytes) > fileBytes && !io.GetUseCompression() &&
      (format.name == "TIFF" || format.name == "BMP")) {
    return makeError(ErrorCode::Corrupt, "truncated: " + std::to_string(fileBytes) + " bytes cannot hold " +
                                             std::to_string(h.decodedBytes) + " bytes of uncompressed pixels");
  }
  if (h.srcComps == 1 || h.srcComps == 2) h.dstComps = 1;       // gray, gray + alpha
  else if (h.srcComps == 3 || h.srcComps == 4) h.dstComps = 3;  // RGB, RGBA
  else return makeError(ErrorCode::Unsupported, std::to_string(h.srcComps) + " components per pixel");
  h.type = storedType(h.component);
  return h;
}

// Patient-space geometry of a volume, from the header.
void copyGeometry(itk::ImageIOBase& io, std::array<double, 3>& spacing, std::array<double, 3>& origin,
                  std::array<double, 9>& direction) {
  for (int a = 0; a < 3; ++a) {
    spacing[a] = io.GetSpacing(a);
    origin[a] = io.GetOrigin(a);
    const auto axis = io.GetDirection(a);  // patient-space direction of voxel axis a
    for (int r = 0; r < 3; ++r) direction[r * 3 + a] = r < static_cast<int>(axis.size()) ? axis[r] : (r == a);
  }
}

template <class F>
auto guarded(F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const itk::ExceptionObject& e) {
    return makeError(ErrorCode::Corrupt, std::string("cannot decode: ") + e.GetDescription());
  } catch (const std::bad_alloc&) {
    return makeError(ErrorCode::Io, "not enough memory to decode this image");
  } catch (const std::exception& e) {  // ITK's helpers throw more than itk::ExceptionObject
    return makeError(ErrorCode::Corrupt, std::string("cannot decode: ") + e.what());
  }
}

}  // namespace

core::Result<ImageSummary> ItkImageReader::describe(const std::filesystem::path& path) const {
  const detail::ItkFormat* format = detail::itkFormatForReading(path);
  if (!format) return makeError(ErrorCode::Unsupported, "no ITK image reader recognises this file");
  return describeAs(path, *format);
}

core::Result<ImageSummary> ItkImageReader::describeDicomJpeg2000(const std::filesystem::path& path) const {
  return describeAs(path, detail::itkDicomJpeg2000Format());
}

core::Result<ImageSummary> ItkImageReader::describeAs(const std::filesystem::path& path,
                                                      const detail::ItkFormat& format) const {
  return guarded([&]() -> core::Result<ImageSummary> {
    auto header = readHeader(path, format);
    if (!header) return header.error();
    ItkHeader& h = header.value();
    ImageSummary s;
    s.format = format.name;
    s.dtype = core::toString(h.type);
    s.channels = h.dstComps;
    if (h.size[2] == 1) {
      s.kind = ImageKind::Image;
      s.size = {h.size[0], h.size[1]};
      if (!format.photo) s.spacing = std::vector<double>{h.io->GetSpacing(0), h.io->GetSpacing(1)};
      return s;
    }
    std::array<double, 3> spacing{}, origin{};
    std::array<double, 9> direction{};
    copyGeometry(*h.io, spacing, origin, direction);
    s.kind = ImageKind::Volume;
    s.size = {h.size[0], h.size[1], h.size[2]};
    s.spacing = std::vector<double>(spacing.begin(), spacing.end());
    s.origin = std::vector<double>(origin.begin(), origin.end());
    s.direction = std::vector<double>(direction.begin(), direction.end());
    if (format.name == "DICOM") s.modality = dicomTag(*h.io, "0008|0060");
    return s;
  });
}

core::Result<OpenedImage> ItkImageReader::openAs(const std::filesystem::path& path,
                                                 const detail::ItkFormat& formatRef) const {
  const detail::ItkFormat* format = &formatRef;
  return guarded([&]() -> core::Result<OpenedImage> {
    auto header = readHeader(path, *format);
    if (!header) return header.error();
    ItkHeader& h = header.value();
    itk::ImageIOBase::Pointer io = h.io;
    const unsigned dims = h.dims;
    const std::array<int, 3> size = h.size;
    const int srcComps = h.srcComps, dstComps = h.dstComps;
    const Component component = h.component;
    const std::uint64_t decoded = h.decodedBytes;

    itk::ImageIORegion region(dims);  // readers read only the region asked for
    for (unsigned i = 0; i < dims; ++i) region.SetSize(i, io->GetDimensions(i));
    io->SetIORegion(region);
    const PixelType type = h.type;
    const std::size_t pixels = static_cast<std::size_t>(size[0]) * size[1] * size[2];
    // Decodes straight into `out` when the file's layout is ours already; else via a copy.
    const auto readInto = [&](std::uint8_t* out, int dstComps) -> core::Status {
      const bool direct = srcComps == dstComps && storedType(component) == type &&
                          (component == Component::UCHAR || component == Component::SHORT ||
                           component == Component::USHORT || component == Component::FLOAT);
      if (direct) {
        io->Read(out);
        return core::Ok{};
      }
      std::vector<char> raw(decoded);
      io->Read(raw.data());
      if (!convert(component, raw.data(), pixels, srcComps, dstComps, type, out))
        return makeError(ErrorCode::Unsupported, "pixel component type not supported");
      return core::Ok{};
    };

    OpenedImage opened;
    opened.format = format->name;
    if (size[2] == 1) {
      auto image = core::Image2D::allocate(size[0], size[1], dstComps, type);
      if (!image) return image.error();
      core::Image2D out = std::move(image).value();
      if (auto status = readInto(out.data(), dstComps); !status) return status.error();
      if (!format->photo) out.spacing = std::array<double, 2>{io->GetSpacing(0), io->GetSpacing(1)};
      out.photometric = dstComps == 3 ? "RGB" : "MONOCHROME2";
      if (format->name == "DICOM") {
        if (auto p = dicomTag(*io, "0028|0004"); !p.empty()) out.photometric = p;
        const auto center = firstNumber(dicomTag(*io, "0028|1050"));
        const auto width = firstNumber(dicomTag(*io, "0028|1051"));
        if (center && width && *width > 0) out.displayWindow = core::WindowLevel{*center, *width};
      }
      opened.content = std::move(out);
      return opened;
    }
    auto volume = core::Volume::allocate(size, type, core::PixelBuffer::Init::Uninitialized, dstComps);  // read fills it
    if (!volume) return volume.error();
    core::Volume out = std::move(volume).value();
    if (auto status = readInto(out.data(), dstComps); !status) return status.error();
    copyGeometry(*io, out.spacing, out.origin, out.direction);
    if (format->name == "DICOM") out.modality = dicomTag(*io, "0008|0060");
    opened.content = std::move(out);
    return opened;
  });
}

}  // namespace meridian::io
