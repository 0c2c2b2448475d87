#include "AperioPyramidCheck.hpp"

#include <tiffio.h>

#include <memory>
#include <optional>
#include <string>

namespace meridian::io::detail {

namespace {

struct TiffCloser {
  void operator()(TIFF* tif) const { TIFFClose(tif); }
};

struct TileGrid {
  std::uint64_t across = 0, down = 0;
};

}  // namespace

core::Status checkAperioPyramid(const std::filesystem::path& path) {
  std::unique_ptr<TIFF, TiffCloser> tif(TIFFOpen(path.c_str(), "rm"));
  if (!tif) return core::Ok{};
  std::optional<TileGrid> previous;
  int level = 0;
  do {
    if (!TIFFIsTiled(tif.get())) continue;  // associated images (thumbnail, label, macro)
    std::uint32_t width = 0, height = 0, tileWidth = 0, tileHeight = 0;
    TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &height);
    TIFFGetField(tif.get(), TIFFTAG_TILEWIDTH, &tileWidth);
    TIFFGetField(tif.get(), TIFFTAG_TILELENGTH, &tileHeight);
    if (tileWidth == 0 || tileHeight == 0) return core::Ok{};  // OpenSlide refuses it itself
    // As OpenSlide counts them (32-bit sides, so no product here can wrap).
    const TileGrid grid{(width + std::uint64_t{tileWidth} - 1) / tileWidth,
                        (height + std::uint64_t{tileHeight} - 1) / tileHeight};
    if (previous && (grid.across > 2 * previous->across || grid.down > 2 * previous->down))
      return core::makeError(core::ErrorCode::Corrupt,
                             "Aperio level " + std::to_string(level) + " has " + std::to_string(grid.across) + "x" +
                                 std::to_string(grid.down) + " tiles, more than twice level " +
                                 std::to_string(level - 1) + "'s " + std::to_string(previous->across) + "x" +
                                 std::to_string(previous->down) + ": not a pyramid (damaged or hostile file)");
    previous = grid;
    ++level;
  } while (TIFFReadDirectory(tif.get()));
  return core::Ok{};
}

}  // namespace meridian::io::detail
