#include "TiffReader.hpp"

#include "DecodedSizeLimit.hpp"
#include "meridian/io/ImageSummary.hpp"

#include <tiffio.h>

#include <cstdarg>
#include <cstring>
#include <fstream>
#include <memory>
#include <system_error>
#include <vector>

namespace meridian::io {
namespace {

using core::ErrorCode;
using core::makeError;

constexpr std::uint64_t kMaxPixels = 1ULL << 31;

// libtiff reports through global handlers: keep the last message of this thread.
thread_local std::string lastTiffError;
void onTiffError(const char* module, const char* format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  lastTiffError = std::string(module ? module : "libtiff") + ": " + text;
}
void onTiffWarning(const char*, const char*, va_list) {}

struct TiffCloser {
  void operator()(TIFF* tif) const { TIFFClose(tif); }
};

template <class T>
void keepChannels(const T* in, std::size_t pixels, int inChannels, int outChannels, T* out) {
  for (std::size_t p = 0; p < pixels; ++p)
    for (int c = 0; c < outChannels; ++c) out[p * outChannels + c] = in[p * inChannels + c];
}

}  // namespace

double TiffReader::detect(const std::filesystem::path& path) const {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[4] = {};
  in.read(reinterpret_cast<char*>(magic), 4);
  if (!in) return 0.0;
  const bool little = magic[0] == 'I' && magic[1] == 'I' && (magic[2] == 42 || magic[2] == 43) && magic[3] == 0;
  const bool big = magic[0] == 'M' && magic[1] == 'M' && magic[2] == 0 && (magic[3] == 42 || magic[3] == 43);
  return little || big ? 0.6 : 0.0;
}

namespace {

core::Error failWith(ErrorCode code, const std::string& what) {
  return makeError(code, what + (lastTiffError.empty() ? "" : " (" + lastTiffError + ")"));
}

// The first directory's tags, checked (size rule, scanline layout) before any strip is read.
struct TiffHeader {
  std::unique_ptr<TIFF, TiffCloser> tif;
  std::uint32_t width = 0, height = 0;
  std::uint16_t bits = 1, samples = 1;
  bool direct = false;  // 8/16-bit grey or RGB in contiguous strips: read as is; else via libtiff's RGBA
  int channels() const { return direct && samples == 1 ? 1 : 3; }
  core::PixelType type() const { return direct && bits == 16 ? core::PixelType::UInt16 : core::PixelType::UInt8; }
};

core::Result<TiffHeader> readHeader(const std::filesystem::path& path) {
  static const bool handlersSet = [] {
    TIFFSetErrorHandler(onTiffError);
    TIFFSetWarningHandler(onTiffWarning);
    return true;
  }();
  (void)handlersSet;
  lastTiffError.clear();
  TiffHeader h;
  h.tif.reset(TIFFOpen(path.c_str(), "rm"));  // "m": no memory-mapping
  if (!h.tif) return failWith(ErrorCode::Corrupt, "not a readable TIFF");
  TIFF* tif = h.tif.get();
  std::uint16_t format = SAMPLEFORMAT_UINT, planar = PLANARCONFIG_CONTIG, photometric = 0;
  TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &h.width);
  TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h.height);
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &h.bits);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &h.samples);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
  if (h.width == 0 || h.height == 0) return failWith(ErrorCode::Corrupt, "TIFF without a size");
  std::error_code ec;
  const std::uint64_t fileBytes = std::filesystem::file_size(path, ec);
  if (ec) return failWith(ErrorCode::Io, "cannot read: " + ec.message());
  const std::uint64_t pixels = static_cast<std::uint64_t>(h.width) * h.height;  // two 32-bit values: cannot wrap
  if (pixels > kMaxPixels) return failWith(ErrorCode::Corrupt, "TIFF header claims an impossible size");
  const std::string claimed = std::to_string(h.width) + "x" + std::to_string(h.height);
  auto decoded = detail::claimedBytes(
      {pixels, std::max<std::uint16_t>(h.samples, 1), std::max<std::uint16_t>(h.bits / 8, 1)}, claimed);
  if (!decoded) return failWith(ErrorCode::Corrupt, decoded.error().message);
  if (auto fits = detail::checkDecodedSize(decoded.value(), fileBytes, detail::kImageLimit, claimed); !fits)
    return failWith(ErrorCode::Corrupt, fits.error().message);
  const bool plainGrey = h.samples == 1 && (photometric == PHOTOMETRIC_MINISBLACK);
  const bool plainRgb = h.samples >= 3 && photometric == PHOTOMETRIC_RGB;
  h.direct = (plainGrey || plainRgb) && (h.bits == 8 || h.bits == 16) && format == SAMPLEFORMAT_UINT &&
             planar == PLANARCONFIG_CONTIG && !TIFFIsTiled(tif);
  if (h.direct && TIFFScanlineSize64(tif) != static_cast<std::uint64_t>(h.width) * h.samples * (h.bits / 8))
    return failWith(ErrorCode::Corrupt, "TIFF scanline size does not match its width and samples");
  return h;
}

}  // namespace

core::Result<ImageSummary> TiffReader::describe(const std::filesystem::path& path) const {
  auto header = readHeader(path);
  if (!header) return header.error();
  ImageSummary s;
  s.kind = ImageKind::Image;
  s.format = "TIFF";
  s.size = {header.value().width, header.value().height};
  s.dtype = core::toString(header.value().type());
  s.channels = header.value().channels();
  return s;
}

core::Result<OpenedImage> TiffReader::open(const std::filesystem::path& path) const {
  auto header = readHeader(path);
  if (!header) return header.error();
  TIFF* tif = header.value().tif.get();
  const std::uint32_t width = header.value().width, height = header.value().height;
  const std::uint16_t bits = header.value().bits, samples = header.value().samples;
  const std::uint64_t pixels = static_cast<std::uint64_t>(width) * height;
  const auto fail = [](ErrorCode code, const std::string& what) { return failWith(code, what); };
  OpenedImage opened;
  opened.format = "TIFF";
  if (header.value().direct) {
    const int outChannels = header.value().channels();
    auto image = core::Image2D::allocate(static_cast<int>(width), static_cast<int>(height), outChannels,
                                         header.value().type());
    if (!image) return image.error();
    core::Image2D out = std::move(image).value();
    const std::uint64_t lineBytes = TIFFScanlineSize64(tif);
    std::vector<unsigned char> line(lineBytes);
    for (std::uint32_t y = 0; y < height; ++y) {
      if (TIFFReadScanline(tif, line.data(), y, 0) < 0)
        return fail(ErrorCode::Corrupt, "cannot decode TIFF row " + std::to_string(y));
      unsigned char* row = out.data() + static_cast<std::size_t>(y) * out.rowBytes();
      if (bits == 8) keepChannels(line.data(), width, samples, outChannels, row);
      else keepChannels(reinterpret_cast<const std::uint16_t*>(line.data()), width, samples, outChannels,
                        reinterpret_cast<std::uint16_t*>(row));
    }
    out.photometric = outChannels == 3 ? "RGB" : "MONOCHROME2";
    opened.content = std::move(out);
    return opened;
  }
  // Everything else: libtiff converts to 8-bit RGBA (top row first).
  std::vector<std::uint32_t> rgba(static_cast<std::size_t>(pixels));
  if (!TIFFReadRGBAImageOriented(tif, width, height, rgba.data(), ORIENTATION_TOPLEFT, 0))
    return fail(ErrorCode::Unsupported, "cannot decode this TIFF layout");
  auto image = core::Image2D::allocate(static_cast<int>(width), static_cast<int>(height), 3, core::PixelType::UInt8);
  if (!image) return image.error();
  core::Image2D out = std::move(image).value();
  for (std::size_t p = 0; p < rgba.size(); ++p) {
    out.data()[p * 3 + 0] = static_cast<std::uint8_t>(TIFFGetR(rgba[p]));
    out.data()[p * 3 + 1] = static_cast<std::uint8_t>(TIFFGetG(rgba[p]));
    out.data()[p * 3 + 2] = static_cast<std::uint8_t>(TIFFGetB(rgba[p]));
  }
  out.photometric = "RGB";
  opened.content = std::move(out);
  return opened;
}

}  // namespace meridian::io
