// Annotations to and from GeoJSON as QuPath writes it: pixel coordinates with (0, 0) at the
// first pixel's top-left corner, classification colours as [r, g, b] or QuPath 0.2's
// packed colorRGB, rectangles as closed 5-point polygons.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "meridian/core/AnnotationsGeoJson.hpp"

namespace meridian::core {
namespace {

// Shaped like QuPath 0.4's "Export objects as GeoJSON" (FeatureCollection, annotation
// objects, isLocked, classification colours), plus a 0.2-style packed colour.
constexpr const char* kQuPathExport = R"({
  "type": "FeatureCollection",
  "features": [
    {"type": "Feature", "id": "0f6f2a4e-6f0e-4cf6-a0b4-8f1e3c2f5a11",
     "geometry": {"type": "Polygon", "coordinates": [[[10.5, 20.5], [40.5, 20.5], [25.5, 50.5], [10.5, 20.5]]]},
     "properties": {"objectType": "annotation", "isLocked": false, "name": "gland 1",
                    "classification": {"name": "Tumor", "color": [200, 0, 0]}}},
    {"type": "Feature", "id": "PathAnnotationObject",
     "geometry": {"type": "MultiPoint", "coordinates": [[5.0, 5.0], [7.5, 9.5]]},
     "properties": {"objectType": "annotation", "classification": {"name": "Immune cells", "colorRGB": -16776961}}},
    {"type": "Feature", "id": "PathAnnotationObject",
     "geometry": {"type": "MultiPolygon", "coordinates": [[[[0, 0], [4, 0], [4, 4], [0, 0]]], [[[8, 8], [12, 8], [12, 12]]]]},
     "properties": {"objectType": "annotation"}}
  ]
})";

TEST(AnnotationsGeoJson, ReadsAQuPathExport) {
  auto set = fromGeoJson(kQuPathExport);
  ASSERT_TRUE(set.ok()) << set.error().message;
  const auto& a = set.value().annotations;
  ASSERT_EQ(a.size(), 4u);  // the MultiPolygon becomes two polygons
  EXPECT_EQ(a[0].id, "0f6f2a4e-6f0e-4cf6-a0b4-8f1e3c2f5a11");
  EXPECT_EQ(a[0].shape, AnnotationShape::Polygon);
  ASSERT_EQ(a[0].points.size(), 3u);                               // closing vertex dropped
  EXPECT_EQ(a[0].points[0], (std::array<double, 2>{10.0, 20.0}));  // QuPath corner -> Meridian centre
  EXPECT_EQ(a[0].className, "Tumor");
  EXPECT_EQ(a[0].name, "gland 1");
  EXPECT_EQ(a[1].shape, AnnotationShape::Point);
  EXPECT_EQ(a[1].points.size(), 2u);
  EXPECT_EQ(a[1].points[1], (std::array<double, 2>{7.0, 9.0}));
  EXPECT_EQ(set.value().findClass("Tumor")->color, (std::array<std::uint8_t, 3>{200, 0, 0}));
  EXPECT_EQ(set.value().findClass("Immune cells")->color, (std::array<std::uint8_t, 3>{0, 0, 255}));
  // Ids stay unique: the repeated "PathAnnotationObject" and the split MultiPolygon get fresh ones.
  EXPECT_EQ(a[1].id, "PathAnnotationObject");
  EXPECT_NE(a[2].id, a[1].id);
  EXPECT_NE(a[3].id, a[2].id);
  EXPECT_EQ(a[3].points.size(), 3u);
}

TEST(AnnotationsGeoJson, RoundTripsEveryShapeThroughAFile) {
  AnnotationSet set;
  set.classes.push_back({"Stroma", {10, 200, 30}});
  set.annotations.push_back({"r1", AnnotationShape::Rectangle, {{30, 40}, {10, 20}}, "Stroma", ""});
  set.annotations.push_back({"p1", AnnotationShape::Polygon, {{0, 0}, {5.25, 0}, {5, 7}, {1, 3}}, "", "outline"});
  set.annotations.push_back({"pt", AnnotationShape::Point, {{3, 4}}, "Stroma", ""});
  const auto path = std::filesystem::temp_directory_path() / "meridian-annotations-test.geojson";
  ASSERT_TRUE(saveGeoJson(set, path).ok());
  auto back = loadGeoJson(path);
  ASSERT_TRUE(back.ok()) << back.error().message;
  const auto& a = back.value().annotations;
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].shape, AnnotationShape::Rectangle);
  EXPECT_EQ(a[0].points, (std::vector<std::array<double, 2>>{{10, 20}, {30, 40}}));
  EXPECT_EQ(a[1].points, set.annotations[1].points);
  EXPECT_EQ(a[1].name, "outline");
  EXPECT_EQ(a[2].shape, AnnotationShape::Point);
  EXPECT_EQ(a[2].points, set.annotations[2].points);
  EXPECT_EQ(back.value().findClass("Stroma")->color, (std::array<std::uint8_t, 3>{10, 200, 30}));

  // On disk: QuPath's convention (a rectangle is a closed ring, half-pixel shift).
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"FeatureCollection\""), std::string::npos);
  EXPECT_NE(text.find("\"objectType\": \"annotation\""), std::string::npos);
  const auto json = fromGeoJson(text);
  ASSERT_TRUE(json.ok());
  std::filesystem::remove(path);
}

TEST(AnnotationsGeoJson, BadFilesAreRefusedWithTheReason) {
  EXPECT_FALSE(fromGeoJson("{\"type\": \"FeatureCollection\", \"features\": [").ok());
  EXPECT_FALSE(fromGeoJson("{\"type\": \"Topology\"}").ok());
  const auto line = fromGeoJson(
      R"({"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]})");
  ASSERT_FALSE(line.ok());
  EXPECT_NE(line.error().message.find("LineString"), std::string::npos);
  const auto twoVertices = fromGeoJson(
      R"({"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}}]})");
  ASSERT_FALSE(twoVertices.ok());
  EXPECT_NE(twoVertices.error().message.find("feature 0"), std::string::npos);
  EXPECT_FALSE(
      fromGeoJson(
          R"({"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":["a",1]}}]})")
          .ok());
  const auto missing = loadGeoJson("/nonexistent/annotations.geojson");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/annotations.geojson"), std::string::npos);
}

}  // namespace
}  // namespace meridian::core
