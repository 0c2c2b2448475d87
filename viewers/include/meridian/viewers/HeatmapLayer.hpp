#pragma once
// A heatmap layer: a float map (attention grid, per-tile scores, per-slice maps) with its
// own geometry, drawn over the image it describes with a colour map, opacity, threshold and
// value range. Plain C++ (no Qt, no VTK): the 2D, slide and volume viewers and the tests
// share it.
//
// The map is a core::Volume of Float32, 1 channel, whose geometry places its cells in the
// image's space (the project's map convention):
//   - 2D images and slides: image pixel coordinates (level-0 pixels for slides), x right,
//     y down, pixel (i, j)'s centre at (i, j), so an image of width W spans [-0.5, W - 0.5].
//     spacing = image pixels per cell, origin = centre of cell (0, 0), identity direction,
//     depth 1. A 14x14 grid covering a 224-pixel image: spacing 16, origin 7.5.
//   - CT/MR volumes: the volume's physical space (LPS, mm), like the volume itself.
// Cell (i, j, k) sits at origin + direction * (spacing ⊙ (i, j, k)), as for any Volume.

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::viewers {

enum class Interpolation { Nearest, Linear };

/// Output pixel (u, v) of a rendered buffer samples the position
/// origin + u * stepU + v * stepV (its centre), in the map's space.
struct SamplingGrid {
  core::Vec3 origin{0.0, 0.0, 0.0};
  core::Vec3 stepU{1.0, 0.0, 0.0};
  core::Vec3 stepV{0.0, 1.0, 0.0};
  int width = 0;
  int height = 0;
};

/// A rectangle of a 2D image or slide in image pixel coordinates (edges, not centres:
/// the whole of a W x H image is {-0.5, -0.5, W, H}).
struct ImageRegion {
  double left = 0.0, top = 0.0, width = 0.0, height = 0.0;
};

class HeatmapLayer {
 public:
  HeatmapLayer() = default;

  /// Takes the map; fails (and keeps the previous one) unless it is a non-empty 1-channel
  /// Float32 volume with finite positive spacing and an invertible direction. Resets the
  /// value range to the map's finite minimum..maximum and clears the threshold.
  core::Status setMap(core::Volume map);
  void clear();
  bool hasMap() const { return hasMap_; }
  const core::Volume& map() const { return map_; }

  core::ColorMap colorMap() const { return colorMap_; }
  void setColorMap(core::ColorMap map) { colorMap_ = map; }
  /// 0 = invisible, 1 = opaque (clamped).
  double opacity() const { return opacity_; }
  void setOpacity(double opacity);
  /// Values below the threshold are transparent; none by default.
  std::optional<double> threshold() const { return threshold_; }
  void setThreshold(std::optional<double> threshold) { threshold_ = threshold; }
  /// Values mapped to the ends of the colour map (clamped beyond); the map's own range by default.
  std::array<double, 2> valueRange() const { return range_; }
  void setValueRange(double low, double high);
  /// The map's finite minimum and maximum (what setMap chose as the value range).
  std::array<double, 2> dataRange() const { return dataRange_; }

  /// The map's extent in its own space: the outer edges of its cells (axis-aligned
  /// bounding box of the corners), {min x, min y, min z, max x, max y, max z}.
  std::array<double, 6> extent() const;

  /// For 2D images and slides: OK when the map lies inside a width x height image (pixel
  /// coordinates). A grid whose cells straddle the border (the image size is no multiple
  /// of the cell size) may overhang by less than one cell on each side; anything more
  /// means the map was made for another image, and the message names both extents.
  core::Status checkFits(int imageWidth, int imageHeight) const;
  /// For volumes: the same test in the volume's physical space (corners of the map taken
  /// into the volume's voxel index space).
  core::Status checkFits(const core::Volume& image) const;

  /// The map's value at a position in its space (image pixel coordinates for 2D, with
  /// z = 0; physical mm for volumes); nullopt outside the map. Linear interpolates between
  /// cell centres (bilinear within a slice, trilinear across slices; edge cells extend
  /// to the map's border).
  std::optional<float> sample(const core::Vec3& position, Interpolation interpolation) const;
  std::optional<float> sampleImage(double x, double y, Interpolation interpolation) const {
    return sample({x, y, 0.0}, interpolation);
  }

  /// The map's values on `grid` (row-major, NaN outside the map or where it has none):
  /// what renderRgba colours. Viewers keep it and call colorize() when only the look
  /// (colour map, opacity, threshold, range) changes, without sampling again.
  std::vector<float> sampleGrid(const SamplingGrid& grid, Interpolation interpolation) const;
  /// Premultiplied RGBA of sampled values, as renderRgba draws them.
  std::vector<std::uint8_t> colorize(const std::vector<float>& values) const;

  /// Premultiplied RGBA (R, G, B, A bytes per pixel, rows top to bottom) of the layer as
  /// seen through `grid`: transparent outside the map, where values are below the
  /// threshold, or NaN; colour-mapped with alpha = opacity elsewhere.
  std::vector<std::uint8_t> renderRgba(const SamplingGrid& grid, Interpolation interpolation) const;
  /// The same for a rectangle of a 2D image or slide drawn at outWidth x outHeight (a
  /// viewport, a slide tile).
  std::vector<std::uint8_t> renderRgba(const ImageRegion& region, int outWidth, int outHeight,
                                       Interpolation interpolation) const;

  /// Premultiplied RGBA of one value, as renderRgba draws it (alpha 0 when hidden).
  std::array<std::uint8_t, 4> colorFor(float value) const;

 private:
  core::Vec3 toIndex(const core::Vec3& position) const;
  float cell(int i, int j, int k) const;
  std::optional<float> sampleIndex(const core::Vec3& index, Interpolation interpolation) const;
  core::Status checkFitsInIndexSpace(const std::array<int, 3>& size, const core::Mat3& toImageIndex,
                                     const core::Vec3& imageOrigin, const char* units) const;

  core::Volume map_;
  bool hasMap_ = false;
  core::Mat3 physicalToIndex_ = core::kIdentity3;  // inverse of direction * diag(spacing)
  core::ColorMap colorMap_ = core::ColorMap::Jet;
  double opacity_ = 0.5;
  std::optional<double> threshold_;
  std::array<double, 2> range_{0.0, 1.0};
  std::array<double, 2> dataRange_{0.0, 1.0};
};

}  // namespace meridian::viewers
