#include "meridian/core/HeatmapOverlay.hpp"

#include <algorithm>
#include <cmath>

#include "meridian/core/DisplayMapping.hpp"

namespace meridian::core {
namespace {

// Viridis at nine evenly spaced points (matplotlib's published table, rounded).
constexpr std::array<std::array<double, 3>, 9> kViridis = {{{68, 1, 84},
                                                            {71, 44, 122},
                                                            {59, 81, 139},
                                                            {44, 113, 142},
                                                            {33, 144, 141},
                                                            {39, 173, 129},
                                                            {92, 200, 99},
                                                            {170, 220, 50},
                                                            {253, 231, 37}}};

std::uint8_t byte(double v) { return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

}  // namespace

std::array<std::uint8_t, 3> colorAt(ColorMap map, double t) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
  switch (map) {
    case ColorMap::Viridis: {
      const double x = t * (kViridis.size() - 1);
      const std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(x), kViridis.size() - 2);
      const double f = x - static_cast<double>(i);
      return {byte(kViridis[i][0] * (1 - f) + kViridis[i + 1][0] * f), byte(kViridis[i][1] * (1 - f) + kViridis[i + 1][1] * f),
              byte(kViridis[i][2] * (1 - f) + kViridis[i + 1][2] * f)};
    }
    case ColorMap::Hot:
      return {byte(255 * std::min(1.0, 3 * t)), byte(255 * std::clamp(3 * t - 1, 0.0, 1.0)),
              byte(255 * std::clamp(3 * t - 2, 0.0, 1.0))};
    case ColorMap::Jet:
      break;
  }
  const auto ramp = [&](double centre) { return byte(255 * std::clamp(1.5 - std::abs(4 * t - centre), 0.0, 1.0)); };
  return {ramp(3), ramp(2), ramp(1)};
}

Result<Image2D> renderHeatmapOverlay(const Image2D& image, const Heatmap& map, double opacity, ColorMap colors) {
  if (image.empty()) return makeError(ErrorCode::InvalidArgument, "no image to draw the map on");
  if (map.width <= 0 || map.height <= 0 || map.values.size() != static_cast<std::size_t>(map.width) * map.height)
    return makeError(ErrorCode::InvalidArgument, "heatmap of " + std::to_string(map.width) + "x" + std::to_string(map.height) +
                                                     " cells has " + std::to_string(map.values.size()) + " values");
  if (!(map.cellWidth > 0) || !(map.cellHeight > 0))
    return makeError(ErrorCode::InvalidArgument, "heatmap cells must have a positive size");
  const double right = map.originX + map.width * map.cellWidth, bottom = map.originY + map.height * map.cellHeight;
  if (right <= 0 || bottom <= 0 || map.originX >= image.width() || map.originY >= image.height())
    return makeError(ErrorCode::InvalidArgument, "the heatmap does not overlap the image (geometry does not fit)");

  const Image2D base = applyWindow(image, defaultWindow(image));
  Image2D out = Image2D::allocate(image.width(), image.height(), 3, PixelType::UInt8).value();
  out.spacing = image.spacing;
  out.photometric = "RGB";
  const auto extremes = std::minmax_element(map.values.begin(), map.values.end());
  const double lo = *extremes.first;
  const double range = std::max(static_cast<double>(*extremes.second) - lo, 1e-12);
  const auto cell = [&](int cx, int cy) {
    cx = std::clamp(cx, 0, map.width - 1);
    cy = std::clamp(cy, 0, map.height - 1);
    return (map.values[static_cast<std::size_t>(cy) * map.width + cx] - lo) / range;
  };
  for (int y = 0; y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) {
      const std::uint8_t* b = base.data() + (static_cast<std::size_t>(y) * image.width() + x) * base.channels();
      std::uint8_t* o = out.data() + (static_cast<std::size_t>(y) * image.width() + x) * 3;
      const std::array<double, 3> pixel = base.channels() == 3 ? std::array<double, 3>{double(b[0]), double(b[1]), double(b[2])}
                                                               : std::array<double, 3>{double(b[0]), double(b[0]), double(b[0])};
      // Pixel centre in cell coordinates, relative to cell centres for bilinear weights.
      const double gx = (x + 0.5 - map.originX) / map.cellWidth - 0.5;
      const double gy = (y + 0.5 - map.originY) / map.cellHeight - 0.5;
      const bool inside = x + 0.5 >= map.originX && x + 0.5 < right && y + 0.5 >= map.originY && y + 0.5 < bottom;
      if (!inside) {
        for (int c = 0; c < 3; ++c) o[c] = byte(pixel[c]);
        continue;
      }
      const int x0 = static_cast<int>(std::floor(gx)), y0 = static_cast<int>(std::floor(gy));
      const double fx = gx - x0, fy = gy - y0;
      const double t = cell(x0, y0) * (1 - fx) * (1 - fy) + cell(x0 + 1, y0) * fx * (1 - fy) +
                       cell(x0, y0 + 1) * (1 - fx) * fy + cell(x0 + 1, y0 + 1) * fx * fy;
      const auto color = colorAt(colors, t);
      for (int c = 0; c < 3; ++c) o[c] = byte(pixel[c] * (1 - opacity) + color[c] * opacity);
    }
  }
  return out;
}

}  // namespace meridian::core

namespace meridian::core {

const char* toString(ColorMap map) {
  switch (map) {
    case ColorMap::Viridis: return "viridis";
    case ColorMap::Jet: return "jet";
    case ColorMap::Hot: return "hot";
  }
  return "jet";
}

std::optional<ColorMap> colorMapFromString(const std::string& name) {
  for (ColorMap m : {ColorMap::Viridis, ColorMap::Jet, ColorMap::Hot})
    if (name == toString(m)) return m;
  return std::nullopt;
}

Result<Volume> heatmapToMapVolume(const Heatmap& map, int imageWidth, int imageHeight) {
  if (imageWidth < 1 || imageHeight < 1) return makeError(ErrorCode::InvalidArgument, "no image for the heatmap");
  if (map.width <= 0 || map.height <= 0 || map.values.size() != static_cast<std::size_t>(map.width) * map.height)
    return makeError(ErrorCode::InvalidArgument, "heatmap of " + std::to_string(map.width) + "x" + std::to_string(map.height) +
                                                     " cells has " + std::to_string(map.values.size()) + " values");
  if (!(map.cellWidth > 0) || !(map.cellHeight > 0))
    return makeError(ErrorCode::InvalidArgument, "heatmap cells must have a positive size");
  // Heatmap keeps edges with pixel centres at x + 0.5 (the image spans [0, W)); a cell
  // overlaps when it reaches into that span by more than rounding.
  const auto overlapping = [](double origin, double cell, int cells, int imageSize) {
    int first = cells, last = -1;
    for (int c = 0; c < cells; ++c) {
      const double lo = origin + c * cell, hi = lo + cell, eps = 1e-6 * cell;
      if (hi > eps && lo < imageSize - eps) first = std::min(first, c), last = std::max(last, c);
    }
    return std::array<int, 2>{first, last};
  };
  const auto cols = overlapping(map.originX, map.cellWidth, map.width, imageWidth);
  const auto rows = overlapping(map.originY, map.cellHeight, map.height, imageHeight);
  if (cols[1] < cols[0] || rows[1] < rows[0])
    return makeError(ErrorCode::InvalidArgument, "the heatmap does not overlap the image (geometry does not fit)");
  const int w = cols[1] - cols[0] + 1, h = rows[1] - rows[0] + 1;
  auto volume = Volume::allocate({w, h, 1}, PixelType::Float32);
  if (!volume) return volume.error();
  Volume& out = volume.value();
  float* values = reinterpret_cast<float*>(out.data());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      values[static_cast<std::size_t>(y) * w + x] =
          map.values[static_cast<std::size_t>(y + rows[0]) * map.width + x + cols[0]];
  out.spacing = {map.cellWidth, map.cellHeight, 1.0};
  // Centre of the first kept cell, moved from edge coordinates to centre-on-integer ones.
  out.origin = {map.originX + (cols[0] + 0.5) * map.cellWidth - 0.5, map.originY + (rows[0] + 0.5) * map.cellHeight - 0.5,
                0.0};
  return out;
}

}  // namespace meridian::core
