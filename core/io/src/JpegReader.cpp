#include "JpegReader.hpp"

#include "DecodedSizeLimit.hpp"
#include "meridian/io/ImageSummary.hpp"

#include <turbojpeg.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <system_error>

namespace meridian::io {
namespace {

using core::ErrorCode;
using core::makeError;

struct TjCloser {
  void operator()(void* handle) const { tjDestroy(handle); }
};

constexpr std::uintmax_t kMaxFileBytes = 1ULL << 30;
constexpr long long kMaxPixels = 1LL << 31;

}  // namespace

double JpegReader::detect(const std::filesystem::path& path) const {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[3] = {};
  in.read(reinterpret_cast<char*>(magic), 3);
  return in && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF ? 0.6 : 0.0;
}

namespace {

struct JpegHeader {
  std::vector<unsigned char> bytes;  // the whole file, or its head (describe)
  int width = 0, height = 0;
  bool gray = false;
};

// The header, checked against the decoded-size rule; `maxBytes` bounds what is read.
core::Result<JpegHeader> readHeader(const std::filesystem::path& path, std::uint64_t maxBytes, void* tj) {
  std::error_code ec;
  const auto fileBytes = std::filesystem::file_size(path, ec);
  if (ec) return makeError(ErrorCode::Io, "cannot read: " + ec.message());
  if (fileBytes > kMaxFileBytes) return makeError(ErrorCode::Unsupported, "JPEG files over 1 GiB are not supported");
  std::ifstream in(path, std::ios::binary);
  JpegHeader h;
  h.bytes.resize(static_cast<std::size_t>(std::min<std::uint64_t>(fileBytes, maxBytes)));
  if (!in.read(reinterpret_cast<char*>(h.bytes.data()), static_cast<std::streamsize>(h.bytes.size())))
    return makeError(ErrorCode::Io, "cannot read the file");
  int subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(tj, h.bytes.data(), h.bytes.size(), &h.width, &h.height, &subsampling, &colorspace) != 0)
    return makeError(ErrorCode::Corrupt, std::string("bad JPEG header: ") + tjGetErrorStr2(tj));
  if (h.width <= 0 || h.height <= 0 || static_cast<long long>(h.width) * h.height > kMaxPixels)
    return makeError(ErrorCode::Corrupt, "JPEG header claims an impossible size " + std::to_string(h.width) + "x" +
                                             std::to_string(h.height));
  h.gray = colorspace == TJCS_GRAY;
  // A baseline JPEG needs about a bit per 8x8 block even for a flat image; a header that
  // claims far more pixels than its file could code is damage or a bomb (the raster
  // fuzzer found a 762-byte file asking for 3.4 GB).
  const auto decoded = detail::checkedProduct(
      {static_cast<std::uint64_t>(h.width), static_cast<std::uint64_t>(h.height), h.gray ? 1u : 3u});  // both < 2^31: cannot wrap
  if (auto fits = detail::checkDecodedSize(decoded.value_or(~0ULL), fileBytes, detail::kImageLimit,
                                          std::to_string(h.width) + "x" + std::to_string(h.height));
      !fits)
    return fits.error();
  return h;
}

}  // namespace

core::Result<OpenedImage> JpegReader::open(const std::filesystem::path& path) const {
  std::unique_ptr<void, TjCloser> tj(tjInitDecompress());
  if (!tj) return makeError(ErrorCode::Internal, "cannot start the JPEG decoder");
  auto header = readHeader(path, kMaxFileBytes, tj.get());
  if (!header) return header.error();
  JpegHeader& h = header.value();
  auto image = core::Image2D::allocate(h.width, h.height, h.gray ? 1 : 3, core::PixelType::UInt8);
  if (!image) return image.error();
  core::Image2D out = std::move(image).value();
  // STOPONWARNING: a truncated or damaged stream is an error, not a half-grey picture.
  const int flags = TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;
  if (tjDecompress2(tj.get(), h.bytes.data(), h.bytes.size(), out.data(), h.width, 0, h.height,
                    h.gray ? TJPF_GRAY : TJPF_RGB, flags) != 0)
    return makeError(ErrorCode::Corrupt, std::string("cannot decode JPEG: ") + tjGetErrorStr2(tj.get()));
  out.photometric = h.gray ? "MONOCHROME2" : "RGB";
  OpenedImage opened;
  opened.format = "JPEG";
  opened.content = std::move(out);
  return opened;
}

core::Result<ImageSummary> JpegReader::describe(const std::filesystem::path& path) const {
  std::unique_ptr<void, TjCloser> tj(tjInitDecompress());
  if (!tj) return makeError(ErrorCode::Internal, "cannot start the JPEG decoder");
  // The markers before the first scan (APPn with EXIF and ICC, tables, SOF) fit in this.
  constexpr std::uint64_t kHeaderBytes = 16ULL << 20;
  auto header = readHeader(path, kHeaderBytes, tj.get());
  if (!header) return header.error();
  ImageSummary s;
  s.kind = ImageKind::Image;
  s.format = "JPEG";
  s.size = {header.value().width, header.value().height};
  s.dtype = core::toString(core::PixelType::UInt8);
  s.channels = header.value().gray ? 1 : 3;
  return s;
}

}  // namespace meridian::io
