#include "PngWriter.hpp"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <vector>

namespace meridian::io {
namespace {

// Everything the libpng callbacks touch lives here, not in locals: after png_error's
// longjmp, locals changed since setjmp are indeterminate.
struct Sink {
  std::string bytes;
  char error[256] = {};
  std::vector<png_bytep> rows;
};

void appendBytes(png_structp png, png_bytep data, png_size_t count) {
  auto* sink = static_cast<Sink*>(png_get_io_ptr(png));
  sink->bytes.append(reinterpret_cast<const char*>(data), count);
}

void flushNothing(png_structp) {}

void onError(png_structp png, png_const_charp message) {
  auto* sink = static_cast<Sink*>(png_get_error_ptr(png));
  std::snprintf(sink->error, sizeof sink->error, "%s", message);
  png_longjmp(png, 1);
}

void onWarning(png_structp, png_const_charp) {}

}  // namespace

core::Result<std::string> encodePng(const core::Image2D& image) {
  const core::PixelType type = image.pixelType();
  if (type != core::PixelType::UInt8 && type != core::PixelType::UInt16)
    return core::makeError(core::ErrorCode::Unsupported,
                           "PNG holds 8- or 16-bit unsigned pixels; this image has " +
                               std::string(core::toString(type)) + " pixels (write .tif, .nii or .nrrd instead)");
  if (image.channels() != 1 && image.channels() != 3)
    return core::makeError(core::ErrorCode::Unsupported, "PNG is written from 1- or 3-channel images");
  Sink sink;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, onError, onWarning);
  if (!png) return core::makeError(core::ErrorCode::Internal, "libpng cannot start a PNG writer");
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    return core::makeError(core::ErrorCode::Internal, "libpng cannot start a PNG writer");
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return core::makeError(core::ErrorCode::Internal, std::string("libpng cannot encode the image: ") + sink.error);
  }
  png_set_write_fn(png, &sink, appendBytes, flushNothing);
  const int depth = type == core::PixelType::UInt8 ? 8 : 16;
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width()), static_cast<png_uint_32>(image.height()), depth,
               image.channels() == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  if (depth == 16) png_set_swap(png);  // our samples are little-endian, PNG's big-endian
  sink.rows.resize(static_cast<std::size_t>(image.height()));
  for (int y = 0; y < image.height(); ++y)
    sink.rows[static_cast<std::size_t>(y)] =
        const_cast<png_bytep>(image.data() + static_cast<std::size_t>(y) * image.rowBytes());
  png_write_image(png, sink.rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return std::move(sink.bytes);
}

}  // namespace meridian::io
