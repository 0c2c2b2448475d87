#include "meridian/core/HeatmapGeoJson.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace meridian::core {
using json = nlohmann::json;

namespace {
// Meridian's pixel centre (0, 0) is QuPath's (0.5, 0.5): the same shift AnnotationsGeoJson makes.
constexpr double kToQuPath = 0.5;
}  // namespace

Result<std::string> heatmapCellsGeoJson(const Volume& map, const HeatmapCellsOptions& options) {
  const auto size = map.size();
  if (size[2] != 1 || map.channels() != 1)
    return makeError(ErrorCode::InvalidArgument, "a heatmap for GeoJSON cells has one plane and one channel; this map has " +
                                                     std::to_string(size[2]) + " plane(s) and " +
                                                     std::to_string(map.channels()) + " channel(s)");
  bool identity = true;
  for (std::size_t k = 0; k < 9; ++k) identity = identity && std::abs(map.direction[k] - kIdentity3[k]) < 1e-6;
  if (!identity)
    return makeError(ErrorCode::InvalidArgument,
                     "the map is rotated (its direction is not the identity), so its cells are not pixel rectangles of "
                     "the slide");
  const double cellW = map.spacing[0], cellH = map.spacing[1];
  if (!(cellW > 0) || !(cellH > 0) || !std::isfinite(cellW) || !std::isfinite(cellH))
    return makeError(ErrorCode::InvalidArgument, "the map's cell size must be positive");

  double low = std::numeric_limits<double>::infinity(), high = -low;
  for (int j = 0; j < size[1]; ++j)
    for (int i = 0; i < size[0]; ++i)
      if (const double v = map.valueAt(i, j, 0); std::isfinite(v) && v >= options.minValue) {
        low = std::min(low, v);
        high = std::max(high, v);
      }
  if (!(low <= high))
    return makeError(ErrorCode::InvalidArgument, "no cell of the map has a value of at least " +
                                                     std::to_string(options.minValue) + ": nothing to export");

  const auto classColor = colorAt(options.colors, 1.0);
  json features = json::array();
  for (int j = 0; j < size[1]; ++j) {
    for (int i = 0; i < size[0]; ++i) {
      const double v = map.valueAt(i, j, 0);
      if (!std::isfinite(v) || v < options.minValue) continue;
      // The cell's corners in Meridian's pixel-centre coordinates, then QuPath's.
      const double x0 = map.origin[0] + cellW * (i - 0.5) + kToQuPath, x1 = x0 + cellW;
      const double y0 = map.origin[1] + cellH * (j - 0.5) + kToQuPath, y1 = y0 + cellH;
      const json ring = json::array({{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}});
      const auto c = colorAt(options.colors, high > low ? (v - low) / (high - low) : 1.0);
      json properties = {
          {"objectType", "tile"},
          {"classification", {{"name", options.className}, {"color", {classColor[0], classColor[1], classColor[2]}}}},
          {"color", {c[0], c[1], c[2]}},
          {"measurements", {{options.measurementName, v}}},
      };
      features.push_back({{"type", "Feature"},
                          {"id", "cell-" + std::to_string(i) + "-" + std::to_string(j)},
                          {"geometry", {{"type", "Polygon"}, {"coordinates", json::array({ring})}}},
                          {"properties", properties}});
    }
  }
  return json{{"type", "FeatureCollection"}, {"features", features}}.dump(1) + "\n";
}

}  // namespace meridian::core
