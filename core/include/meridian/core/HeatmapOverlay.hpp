#pragma once
// A coarse float map (a ViT's patch-attention grid, per-tile scores) drawn over the image
// it describes: what `meridian-cli explain` writes and what a reviewer looks at.

#include <array>
#include <cstdint>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::core {

struct Heatmap {
  int width = 0, height = 0;  // cells
  std::vector<float> values;  // height x width, row-major
  // Geometry in image pixels: cell (0, 0)'s top-left corner and the size of one cell.
  double originX = 0.0, originY = 0.0;
  double cellWidth = 1.0, cellHeight = 1.0;
};

enum class ColorMap { Viridis, Jet, Hot };

/// RGB colour of t in [0, 1] (clamped).
std::array<std::uint8_t, 3> colorAt(ColorMap map, double t);

/// The image (windowed with its default window, grey or colour) blended with the
/// colour-mapped heatmap, interpolated bilinearly between cell centres and normalised to
/// its own min..max. Pixels outside the map's extent keep the image. Fails when the map
/// is empty, its size does not match its values, or it does not overlap the image.
Result<Image2D> renderHeatmapOverlay(const Image2D& image, const Heatmap& map, double opacity = 0.5,
                                     ColorMap colors = ColorMap::Jet);

}  // namespace meridian::core
