#pragma once
// What the 2D tools compute, without a window: distances and angles in physical units
// (pixel spacing in mm when the file gives one, pixels otherwise, and then the text says
// so), and region-of-interest statistics. Positions are image pixel coordinates (pixel
// (i, j)'s centre at (i, j)), as ImageViewState and HeatmapLayer use them.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::viewers {

using Point2 = std::array<double, 2>;

/// mm per pixel (column, row) when known.
struct PixelScale {
  std::optional<std::array<double, 2>> spacing;
  static PixelScale of(const core::Image2D& image) { return {image.spacing}; }
  bool physical() const { return spacing.has_value(); }
};

struct Length {
  double value = 0.0;
  bool physical = false;  // mm when true, pixels when false
  /// "12.4 mm" or "45.0 px (no pixel spacing)".
  std::string text() const;
};

/// The distance from a to b.
Length measureDistance(Point2 a, Point2 b, const PixelScale& scale);

/// The angle at `vertex` between the rays to a and to b, in degrees (0..180), measured in
/// physical space: with non-square pixels the angle on screen in pixels would be wrong.
/// nullopt when a or b coincides with the vertex.
std::optional<double> measureAngle(Point2 a, Point2 vertex, Point2 b, const PixelScale& scale);

enum class RoiShape { Rectangle, Ellipse };

struct RoiStatistics {
  std::size_t pixels = 0;
  double mean = 0.0;
  double sd = 0.0;  // sample standard deviation (n - 1), 0 for a single pixel
  double min = 0.0;
  double max = 0.0;
  Length area;  // mm² when physical, else pixels
};

/// Statistics of channel `channel` over the pixels whose centres lie inside the rectangle
/// with corners `a` and `b` (any two opposite corners), or inside the ellipse inscribed in
/// it. Values are the image's (HU for CT: readers apply the rescale). Fails when the
/// region holds no pixel centre of the image or the channel does not exist.
core::Result<RoiStatistics> measureRoi(const core::Image2D& image, RoiShape shape, Point2 a, Point2 b, int channel = 0);

/// "mean 40.2 ± 3.1, min 30, max 51 HU (n = 314, 78.5 mm²)": for labels and the status bar.
std::string describe(const RoiStatistics& stats, const std::string& valueUnit);

/// A finished measurement on an image, as the 2D viewer keeps and draws it.
struct Measurement {
  enum class Kind { Distance, Angle, RectangleRoi, EllipseRoi } kind = Kind::Distance;
  /// Distance: the two ends. Angle: first arm's end, vertex, second arm's end. ROIs: two
  /// opposite corners of the (bounding) rectangle.
  std::vector<Point2> points;
};

/// What the viewer writes beside a measurement: "12.4 mm", "37.5°", or the ROI's
/// statistics (describe()); the reason when it cannot be measured.
std::string measurementText(const Measurement& measurement, const core::Image2D& image, const std::string& valueUnit);

}  // namespace meridian::viewers
