// Heatmap cells as QuPath GeoJSON, read back with the annotation GeoJSON reader (the round trip
// QuPath users make): every kept cell comes back as a polygon on exactly its pixels.

#include "meridian/core/HeatmapGeoJson.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "meridian/core/AnnotationsGeoJson.hpp"

using namespace meridian::core;

namespace {

/// A 4 x 3 map of 256-pixel cells whose first cell is centred on pixel (1000, 2000): values
/// i + 10 j, one NaN cell (1, 1).
Volume sampleMap() {
  Volume map = Volume::allocate({4, 3, 1}, PixelType::Float32).value();
  auto* v = reinterpret_cast<float*>(map.data());
  for (int j = 0; j < 3; ++j)
    for (int i = 0; i < 4; ++i) v[j * 4 + i] = static_cast<float>(i + 10 * j);
  v[1 * 4 + 1] = std::numeric_limits<float>::quiet_NaN();
  map.spacing = {256, 256, 1};
  map.origin = {1000, 2000, 0};
  return map;
}

}  // namespace

TEST(HeatmapGeoJson, CellsRoundTripThroughTheAnnotationReaderOnTheirPixels) {
  HeatmapCellsOptions options;
  options.className = "tumour";
  auto text = heatmapCellsGeoJson(sampleMap(), options);
  ASSERT_TRUE(text.ok()) << text.error().message;
  auto set = fromGeoJson(text.value());
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ(set.value().annotations.size(), 11u);  // 12 cells, the NaN one left out
  for (const auto& a : set.value().annotations) {
    EXPECT_EQ(a.className, "tumour");
    EXPECT_EQ(a.shape, AnnotationShape::Polygon);
  }
  // Cell (2, 1), id "cell-2-1": centre (1000 + 512, 2000 + 256), so its corners in Meridian's
  // pixel-centre coordinates are 128 pixels either side.
  const Annotation* cell = nullptr;
  for (const auto& a : set.value().annotations)
    if (a.id == "cell-2-1") cell = &a;
  ASSERT_NE(cell, nullptr);
  ASSERT_GE(cell->points.size(), 4u);
  EXPECT_DOUBLE_EQ(cell->points[0][0], 1512 - 128);
  EXPECT_DOUBLE_EQ(cell->points[0][1], 2256 - 128);
  EXPECT_DOUBLE_EQ(cell->points[2][0], 1512 + 128);
  EXPECT_DOUBLE_EQ(cell->points[2][1], 2256 + 128);
}

TEST(HeatmapGeoJson, QuPathLayoutWithClassificationColourAndMeasurement) {
  HeatmapCellsOptions options;
  options.className = "tumour";
  options.measurementName = "attention";
  const auto doc = nlohmann::json::parse(heatmapCellsGeoJson(sampleMap(), options).value());
  EXPECT_EQ(doc["type"], "FeatureCollection");
  const auto& first = doc["features"][0];
  EXPECT_EQ(first["geometry"]["type"], "Polygon");
  // QuPath's coordinates: the first pixel's top-left corner is (0, 0), Meridian's centre +0.5.
  EXPECT_DOUBLE_EQ(first["geometry"]["coordinates"][0][0][0].get<double>(), 1000 - 128 + 0.5);
  EXPECT_EQ(first["properties"]["classification"]["name"], "tumour");
  EXPECT_EQ(first["properties"]["classification"]["color"].size(), 3u);
  EXPECT_EQ(first["properties"]["objectType"], "tile");
  EXPECT_DOUBLE_EQ(first["properties"]["measurements"]["attention"].get<double>(), 0.0);
  // The highest cell (3, 2) = 23 gets the colour map's top colour, the lowest its bottom one.
  const auto& last = doc["features"].back();
  EXPECT_DOUBLE_EQ(last["properties"]["measurements"]["attention"].get<double>(), 23.0);
  const auto top = colorAt(ColorMap::Jet, 1.0), bottom = colorAt(ColorMap::Jet, 0.0);
  EXPECT_EQ(last["properties"]["color"][0].get<int>(), top[0]);
  EXPECT_EQ(first["properties"]["color"][2].get<int>(), bottom[2]);
}

TEST(HeatmapGeoJson, AThresholdLeavesOutLowCellsAndAnEmptyResultIsAnError) {
  HeatmapCellsOptions options;
  options.minValue = 20;
  const auto doc = nlohmann::json::parse(heatmapCellsGeoJson(sampleMap(), options).value());
  EXPECT_EQ(doc["features"].size(), 4u);  // 20, 21, 22, 23
  options.minValue = 100;
  auto none = heatmapCellsGeoJson(sampleMap(), options);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("nothing to export"), std::string::npos);
}

TEST(HeatmapGeoJson, AVolumeOrARotatedMapIsRefused) {
  Volume volume = Volume::allocate({2, 2, 2}, PixelType::Float32).value();
  EXPECT_FALSE(heatmapCellsGeoJson(volume).ok());
  Volume rotated = sampleMap();
  rotated.direction = {0, 1, 0, 1, 0, 0, 0, 0, 1};
  auto refused = heatmapCellsGeoJson(rotated);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("rotated"), std::string::npos);
}
