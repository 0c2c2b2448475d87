#include "JpegReader.hpp"

#include "DecodedSizeLimit.hpp"

#include <turbojpeg.h>

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

core::Result<OpenedImage> JpegReader::open(const std::filesystem::path& path) const {
  std::error_code ec;
  const auto fileBytes = std::filesystem::file_size(path, ec);
  if (ec) return makeError(ErrorCode::Io, "cannot read: " + ec.message());
  if (fileBytes > kMaxFileBytes) return makeError(ErrorCode::Unsupported, "JPEG files over 1 GiB are not supported");
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> bytes(static_cast<std::size_t>(fileBytes));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    return makeError(ErrorCode::Io, "cannot read the whole file");

  std::unique_ptr<void, TjCloser> tj(tjInitDecompress());
  if (!tj) return makeError(ErrorCode::Internal, "cannot start the JPEG decoder");
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), bytes.data(), bytes.size(), &width, &height, &subsampling, &colorspace) != 0)
    return makeError(ErrorCode::Corrupt, std::string("bad JPEG header: ") + tjGetErrorStr2(tj.get()));
  if (width <= 0 || height <= 0 || static_cast<long long>(width) * height > kMaxPixels)
    return makeError(ErrorCode::Corrupt, "JPEG header claims an impossible size " + std::to_string(width) + "x" +
                                             std::to_string(height));
  const bool gray = colorspace == TJCS_GRAY;
  // A baseline JPEG needs about a bit per 8x8 block even for a flat image; a header that
  // claims far more pixels than its file could code is damage or a bomb (the raster
  // fuzzer found a 762-byte file asking for 3.4 GB).
  const auto decoded = detail::checkedProduct(
      {static_cast<std::uint64_t>(width), static_cast<std::uint64_t>(height), gray ? 1u : 3u});  // both < 2^31: cannot wrap
  if (auto fits = detail::checkDecodedSize(decoded.value_or(~0ULL), fileBytes, detail::kImageLimit,
                                          std::to_string(width) + "x" + std::to_string(height));
      !fits)
    return fits.error();
  auto image = core::Image2D::allocate(width, height, gray ? 1 : 3, core::PixelType::UInt8);
  if (!image) return image.error();
  core::Image2D out = std::move(image).value();
  // STOPONWARNING: a truncated or damaged stream is an error, not a half-grey picture.
  const int flags = TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;
  if (tjDecompress2(tj.get(), bytes.data(), bytes.size(), out.data(), width, 0, height, gray ? TJPF_GRAY : TJPF_RGB,
                    flags) != 0)
    return makeError(ErrorCode::Corrupt, std::string("cannot decode JPEG: ") + tjGetErrorStr2(tj.get()));
  out.photometric = gray ? "MONOCHROME2" : "RGB";
  OpenedImage opened;
  opened.format = "JPEG";
  opened.content = std::move(out);
  return opened;
}

}  // namespace meridian::io
