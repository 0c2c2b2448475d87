#pragma once
// A coarse float map (a ViT's patch-attention grid, per-tile scores) drawn over the image
// it describes: what `meridian-cli explain` writes and what a reviewer looks at.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::core {

struct Heatmap {
  int width = 0, height = 0;  // cells
  std::vector<float> values;  // height x width, row-major
  // Geometry in image pixels: cell (0, 0)'s top-left corner and the size of one cell.
  double originX = 0.0, originY = 0.0;
  double cellWidth = 1.0, cellHeight = 1.0;
};

enum class ColorMap { Viridis, Jet, Hot };

/// "viridis", "jet", "hot": for menus and command lines.
const char* toString(ColorMap map);
/// The colour map named `name` (case as toString writes it), or nullopt.
std::optional<ColorMap> colorMapFromString(const std::string& name);

/// RGB colour of t in [0, 1] (clamped).
std::array<std::uint8_t, 3> colorAt(ColorMap map, double t);

/// The image (windowed with its default window, grey or colour) blended with the
/// colour-mapped heatmap, interpolated bilinearly between cell centres and normalised to
/// its own min..max. Pixels outside the map's extent keep the image. Fails when the map
/// is empty, its size does not match its values, or it does not overlap the image.
Result<Image2D> renderHeatmapOverlay(const Image2D& image, const Heatmap& map, double opacity = 0.5,
                                     ColorMap colors = ColorMap::Jet);

/// The map in the project's map convention, what viewers and .nii.gz files carry: a 1-channel
/// Float32 volume of depth 1 in image pixel coordinates with pixel centres on integers
/// (spacing = pixels per cell, origin = centre of the first cell kept). Only cells that
/// overlap the imageWidth x imageHeight image are kept, so a letterboxed model input's
/// padding rows or columns are dropped and the map fits the image it explains. Fails when
/// the map is malformed or no cell overlaps the image.
Result<Volume> heatmapToMapVolume(const Heatmap& map, int imageWidth, int imageHeight);

}  // namespace meridian::core
