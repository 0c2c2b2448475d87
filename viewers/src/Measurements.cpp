#include "meridian/viewers/Measurements.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace meridian::viewers {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::string format(const char* pattern, double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, v);
  return buffer;
}

// Significant digits that suit the magnitude: 1234, 123.4, 12.35, 0.1235.
std::string number(double v) {
  const double a = std::abs(v);
  if (a >= 1000) return format("%.0f", v);
  if (a >= 100) return format("%.1f", v);
  if (a >= 1 || a == 0) return format("%.2f", v);
  return format("%.4g", v);
}

std::array<double, 2> physicalDelta(Point2 from, Point2 to, const PixelScale& scale) {
  const std::array<double, 2> s = scale.spacing.value_or(std::array<double, 2>{1.0, 1.0});
  return {(to[0] - from[0]) * s[0], (to[1] - from[1]) * s[1]};
}

}  // namespace

std::string Length::text() const {
  return physical ? number(value) + " mm" : number(value) + " px (no pixel spacing)";
}

Length measureDistance(Point2 a, Point2 b, const PixelScale& scale) {
  const auto d = physicalDelta(a, b, scale);
  return {std::hypot(d[0], d[1]), scale.physical()};
}

std::optional<double> measureAngle(Point2 a, Point2 vertex, Point2 b, const PixelScale& scale) {
  const auto u = physicalDelta(vertex, a, scale), v = physicalDelta(vertex, b, scale);
  const double nu = std::hypot(u[0], u[1]), nv = std::hypot(v[0], v[1]);
  if (!(nu > 0) || !(nv > 0)) return std::nullopt;
  // atan2 of cross and dot stays accurate near 0° and 180°, where acos does not.
  const double cross = u[0] * v[1] - u[1] * v[0], dot = u[0] * v[0] + u[1] * v[1];
  return std::abs(std::atan2(cross, dot)) * 180.0 / kPi;
}

core::Result<RoiStatistics> measureRoi(const core::Image2D& image, RoiShape shape, Point2 a, Point2 b, int channel) {
  if (image.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "no image to measure");
  if (channel < 0 || channel >= image.channels())
    return core::makeError(core::ErrorCode::InvalidArgument, "channel " + std::to_string(channel) + " of a " +
                                                                 std::to_string(image.channels()) + "-channel image");
  const double x0 = std::min(a[0], b[0]), x1 = std::max(a[0], b[0]);
  const double y0 = std::min(a[1], b[1]), y1 = std::max(a[1], b[1]);
  const double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, rx = (x1 - x0) / 2, ry = (y1 - y0) / 2;
  const int i0 = std::max(0, static_cast<int>(std::ceil(x0))),
            i1 = std::min(image.width() - 1, static_cast<int>(std::floor(x1)));
  const int j0 = std::max(0, static_cast<int>(std::ceil(y0))),
            j1 = std::min(image.height() - 1, static_cast<int>(std::floor(y1)));
  RoiStatistics stats;
  // Welford's running mean and variance: one pass, no loss of precision on large ROIs of
  // large values (HU around -1000 in air).
  double mean = 0, m2 = 0;
  for (int j = j0; j <= j1; ++j)
    for (int i = i0; i <= i1; ++i) {
      if (shape == RoiShape::Ellipse) {
        const double dx = rx > 0 ? (i - cx) / rx : 0, dy = ry > 0 ? (j - cy) / ry : 0;
        if (dx * dx + dy * dy > 1.0 + 1e-12) continue;
      }
      const double v = image.valueAt(i, j, channel);
      if (stats.pixels == 0) stats.min = stats.max = v;
      stats.min = std::min(stats.min, v);
      stats.max = std::max(stats.max, v);
      ++stats.pixels;
      const double delta = v - mean;
      mean += delta / static_cast<double>(stats.pixels);
      m2 += delta * (v - mean);
    }
  if (stats.pixels == 0)
    return core::makeError(core::ErrorCode::InvalidArgument, "the region holds no pixel of the image");
  stats.mean = mean;
  stats.sd = stats.pixels > 1 ? std::sqrt(m2 / static_cast<double>(stats.pixels - 1)) : 0.0;
  const auto s = image.spacing.value_or(std::array<double, 2>{1.0, 1.0});
  stats.area = {static_cast<double>(stats.pixels) * s[0] * s[1], image.spacing.has_value()};
  return stats;
}

std::string describe(const RoiStatistics& stats, const std::string& valueUnit) {
  const std::string unit = valueUnit.empty() ? "" : " " + valueUnit;
  const std::string area = stats.area.physical ? number(stats.area.value) + " mm²" : number(stats.area.value) + " px²";
  return "mean " + number(stats.mean) + " ± " + number(stats.sd) + unit + ", min " + number(stats.min) + ", max " +
         number(stats.max) + " (n = " + std::to_string(stats.pixels) + ", " + area + ")";
}

}  // namespace meridian::viewers

namespace meridian::viewers {

std::string measurementText(const Measurement& m, const core::Image2D& image, const std::string& valueUnit) {
  const PixelScale scale = PixelScale::of(image);
  switch (m.kind) {
    case Measurement::Kind::Distance:
      if (m.points.size() != 2) return "needs two points";
      return measureDistance(m.points[0], m.points[1], scale).text();
    case Measurement::Kind::Angle: {
      if (m.points.size() != 3) return "needs three points";
      const auto angle = measureAngle(m.points[0], m.points[1], m.points[2], scale);
      if (!angle) return "arms of zero length";
      return format("%.1f°", *angle);
    }
    case Measurement::Kind::RectangleRoi:
    case Measurement::Kind::EllipseRoi: {
      if (m.points.size() != 2) return "needs two corners";
      const auto shape = m.kind == Measurement::Kind::EllipseRoi ? RoiShape::Ellipse : RoiShape::Rectangle;
      if (image.channels() == 1) {
        auto stats = measureRoi(image, shape, m.points[0], m.points[1]);
        return stats ? describe(stats.value(), valueUnit) : stats.error().message;
      }
      // Colour photos: every channel's mean ± SD (one channel alone would read as the
      // region's brightness and mislead), then the pixel count and area once.
      std::string text = image.channels() == 3 ? "RGB" : std::to_string(image.channels()) + " channels";
      RoiStatistics last;
      for (int c = 0; c < image.channels(); ++c) {
        auto stats = measureRoi(image, shape, m.points[0], m.points[1], c);
        if (!stats) return stats.error().message;
        text += (c == 0 ? " mean " : " / ") + number(stats.value().mean) + " ± " + number(stats.value().sd);
        last = stats.value();
      }
      const std::string area = last.area.physical ? number(last.area.value) + " mm²" : number(last.area.value) + " px²";
      return text + " (n = " + std::to_string(last.pixels) + ", " + area + ")";
    }
  }
  return {};
}

}  // namespace meridian::viewers
