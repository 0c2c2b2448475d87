#include "PngReader.hpp"

#include "DecodedSizeLimit.hpp"
#include "meridian/io/ImageSummary.hpp"

#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

namespace meridian::io {
namespace {

using core::ErrorCode;
using core::makeError;

constexpr std::uintmax_t kMaxFileBytes = 1ULL << 30;

struct Source {
  const std::vector<unsigned char>* bytes;
  std::size_t pos;
  char error[256];
  // Row pointers live here, in memory, not in a local: after png_error's longjmp a local
  // changed since setjmp is indeterminate (the fuzzer caught the leak that caused).
  png_bytep* rows;
};

void readBytes(png_structp png, png_bytep out, png_size_t count) {
  auto* src = static_cast<Source*>(png_get_io_ptr(png));
  if (src->pos + count > src->bytes->size()) png_error(png, "file ends early (truncated)");
  std::memcpy(out, src->bytes->data() + src->pos, count);
  src->pos += count;
}

void onError(png_structp png, png_const_charp message) {
  auto* src = static_cast<Source*>(png_get_error_ptr(png));
  std::snprintf(src->error, sizeof src->error, "%s", message);
  png_longjmp(png, 1);
}

void onWarning(png_structp, png_const_charp) {}

struct Layout {
  png_uint_32 width = 0, height = 0;
  int channels = 0;   // after transforms: 1 or 3
  int bitDepth = 0;   // after transforms: 8 or 16
};

// Decodes the header, and the pixels too when `pixels` is given (rowBytes apart).
// Plain C inside: libpng reports errors by longjmp, which must not skip C++ destructors.
bool decode(Source& src, Layout& layout, unsigned char* pixels, std::size_t rowBytes) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, onError, onWarning);
  if (!png) {
    std::snprintf(src.error, sizeof src.error, "out of memory");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  src.rows = nullptr;
  if (!info || setjmp(png_jmpbuf(png))) {
    std::free(src.rows);
    src.rows = nullptr;
    png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
    return false;
  }
  src.pos = 0;
  png_set_read_fn(png, &src, readBytes);
  png_set_user_limits(png, 1u << 20, 1u << 20);
  png_read_info(png, info);
  png_set_expand(png);  // palette -> RGB, gray < 8 bit -> 8 bit, tRNS -> alpha
  png_set_strip_alpha(png);
  if (png_get_bit_depth(png, info) == 16) png_set_swap(png);  // PNG is big-endian
  png_read_update_info(png, info);
  layout.width = png_get_image_width(png, info);
  layout.height = png_get_image_height(png, info);
  layout.bitDepth = png_get_bit_depth(png, info);
  layout.channels = png_get_channels(png, info);
  if (pixels) {
    src.rows = static_cast<png_bytep*>(std::malloc(sizeof(png_bytep) * layout.height));
    if (!src.rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < layout.height; ++y) src.rows[y] = pixels + y * rowBytes;
    png_read_image(png, src.rows);
    png_read_end(png, nullptr);
  }
  std::free(src.rows);
  src.rows = nullptr;
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

}  // namespace

double PngReader::detect(const std::filesystem::path& path) const {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[8] = {};
  in.read(reinterpret_cast<char*>(magic), 8);
  return in && png_sig_cmp(magic, 0, 8) == 0 ? 0.6 : 0.0;
}

namespace {

// The file's bytes, or its first `maxBytes` when larger (enough for every chunk before the
// image data: describe() never reads further).
core::Result<std::vector<unsigned char>> readFile(const std::filesystem::path& path, std::uint64_t maxBytes) {
  std::error_code ec;
  const auto fileBytes = std::filesystem::file_size(path, ec);
  if (ec) return makeError(ErrorCode::Io, "cannot read: " + ec.message());
  if (fileBytes > kMaxFileBytes) return makeError(ErrorCode::Unsupported, "PNG files over 1 GiB are not supported");
  std::vector<unsigned char> bytes(static_cast<std::size_t>(std::min<std::uint64_t>(fileBytes, maxBytes)));
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    return makeError(ErrorCode::Io, "cannot read the file");
  return bytes;
}

// The lengths of the chunks before the image data against the file's size, before libpng sees
// them: libpng allocates such a chunk's claimed length before reading it, so a 259-byte file whose tEXt chunk claimed 1.9 GB
// took 1.9 GB (found by fuzz_raster; png_set_chunk_malloc_max did not stop it in Debian's
// libpng 1.6.39). `bytes` may be the file's first part only (describe()): chunks are walked
// while their headers are in it.
core::Status checkChunkLengths(const std::vector<unsigned char>& bytes, std::uint64_t fileBytes) {
  std::uint64_t pos = 8;  // after the signature
  while (pos + 8 <= bytes.size()) {
    const unsigned char* h = bytes.data() + pos;
    const std::uint64_t length = (std::uint64_t{h[0]} << 24) | (std::uint64_t{h[1]} << 16) | (std::uint64_t{h[2]} << 8) | h[3];
    const std::string type(reinterpret_cast<const char*>(h + 4), 4);
    if (type == "IDAT") break;  // image data is streamed, never allocated at its claimed length
    if (pos + 12 + length > fileBytes)
      return makeError(ErrorCode::Corrupt, "bad PNG: chunk '" + type + "' at byte " + std::to_string(pos) + " claims " +
                                               std::to_string(length) + " bytes, beyond the end of the file (" +
                                               std::to_string(fileBytes) + " bytes): file ends early (truncated or damaged)");
    pos += 12 + length;
  }
  return core::Ok{};
}

// The header's layout, checked against the decoded-size rule before anything is allocated.
core::Result<Layout> readLayout(Source& src, std::uint64_t fileBytes) {
  if (auto lengths = checkChunkLengths(*src.bytes, fileBytes); !lengths) return lengths.error();
  Layout layout;
  if (!decode(src, layout, nullptr, 0)) return makeError(ErrorCode::Corrupt, std::string("bad PNG: ") + src.error);
  if (layout.channels != 1 && layout.channels != 3)
    return makeError(ErrorCode::Unsupported, std::to_string(layout.channels) + " channels after expansion");
  const std::string claimed = std::to_string(layout.width) + "x" + std::to_string(layout.height);
  auto decoded = detail::claimedBytes(
      {layout.width, layout.height, static_cast<std::uint64_t>(layout.channels), static_cast<std::uint64_t>(layout.bitDepth / 8)},
      claimed);
  if (!decoded) return decoded.error();
  if (auto fits = detail::checkDecodedSize(decoded.value(), fileBytes, detail::kDeflateLimit, claimed); !fits)
    return fits.error();
  return layout;
}

core::PixelType pixelType(const Layout& layout) {
  return layout.bitDepth == 16 ? core::PixelType::UInt16 : core::PixelType::UInt8;
}

}  // namespace

core::Result<OpenedImage> PngReader::open(const std::filesystem::path& path) const {
  auto bytes = readFile(path, kMaxFileBytes);
  if (!bytes) return bytes.error();
  Source src{&bytes.value(), 0, {}, nullptr};
  auto header = readLayout(src, bytes.value().size());
  if (!header) return header.error();
  Layout layout = header.value();
  auto image = core::Image2D::allocate(static_cast<int>(layout.width), static_cast<int>(layout.height),
                                       layout.channels, pixelType(layout));
  if (!image) return image.error();
  core::Image2D out = std::move(image).value();
  if (!decode(src, layout, out.data(), out.rowBytes()))
    return makeError(ErrorCode::Corrupt, std::string("cannot decode PNG: ") + src.error);
  out.photometric = layout.channels == 3 ? "RGB" : "MONOCHROME2";
  OpenedImage opened;
  opened.format = "PNG";
  opened.content = std::move(out);
  return opened;
}

core::Result<ImageSummary> PngReader::describe(const std::filesystem::path& path) const {
  // The chunks before the image data (IHDR, palette, text, ICC profile) fit in this.
  constexpr std::uint64_t kHeaderBytes = 16ULL << 20;
  auto bytes = readFile(path, kHeaderBytes);
  if (!bytes) return bytes.error();
  std::error_code ec;
  const std::uint64_t fileBytes = std::filesystem::file_size(path, ec);
  Source src{&bytes.value(), 0, {}, nullptr};
  auto header = readLayout(src, fileBytes);
  if (!header) return header.error();
  ImageSummary s;
  s.kind = ImageKind::Image;
  s.format = "PNG";
  s.size = {header.value().width, header.value().height};
  s.dtype = core::toString(pixelType(header.value()));
  s.channels = header.value().channels;
  return s;
}

}  // namespace meridian::io
