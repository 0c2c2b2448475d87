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
  set.annotations.push_back({"r1", AnnotationShape::Rectangle, {{30, 40}, {10, 20}}, "Stroma", "", "", -1});
  set.annotations.push_back({"p1", AnnotationShape::Polygon, {{0, 0}, {5.25, 0}, {5, 7}, {1, 3}}, "", "outline", "", -1});
  set.annotations.push_back({"pt", AnnotationShape::Point, {{3, 4}}, "Stroma", "", "", -1});
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

TEST(AnnotationsGeoJson, ShapesOnAVolumePlaneKeepTheirPlaneAndSlice) {
  AnnotationSet set;
  set.classes.push_back({"Lesion", {220, 40, 40}});
  set.annotations.push_back(
      {"ax", AnnotationShape::Rectangle, {{100.5, 80}, {140, 120.25}}, "Lesion", "", "axial", 140});
  Annotation coronal{"co", AnnotationShape::Polygon, {{10, 20}, {60, 25}, {35, 90}}, "", "aorta"};
  coronal.plane = "coronal";
  coronal.slice = 0;  // the first slice is a slice, not "none"
  set.annotations.push_back(coronal);
  set.annotations.push_back({"flat", AnnotationShape::Point, {{3, 4}}, "", "", "", -1});  // a 2D image's: no plane
  const auto path = std::filesystem::temp_directory_path() / "meridian-annotations-volume-test.geojson";
  ASSERT_TRUE(saveGeoJson(set, path).ok());
  auto back = loadGeoJson(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(back.ok()) << back.error().message;
  const auto& a = back.value().annotations;
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].plane, "axial");
  EXPECT_EQ(a[0].slice, 140);
  EXPECT_EQ(a[0].shape, AnnotationShape::Rectangle);
  EXPECT_EQ(a[0].points, (std::vector<std::array<double, 2>>{{100.5, 80}, {140, 120.25}}));
  EXPECT_EQ(a[1].plane, "coronal");
  EXPECT_EQ(a[1].slice, 0);
  EXPECT_EQ(a[1].points, coronal.points);
  EXPECT_EQ(a[2].plane, "");
  EXPECT_EQ(a[2].slice, -1);

  // A plane without a slice would make a file the reader refuses: it is not written.
  AnnotationSet orphan;
  orphan.annotations.push_back({"o", AnnotationShape::Point, {{1, 1}}, "", "", "sagittal", -1});
  const auto orphanSaved = saveGeoJson(orphan, path);
  ASSERT_FALSE(orphanSaved.ok());
  EXPECT_NE(orphanSaved.error().message.find("without a slice"), std::string::npos) << orphanSaved.error().message;
  EXPECT_FALSE(std::filesystem::exists(path));

  // On disk: extra properties beside QuPath's, coordinates still shifted by half a pixel.
  const std::string text = toGeoJson(set);
  EXPECT_NE(text.find("\"plane\": \"axial\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"slice\": 140"), std::string::npos) << text;
  EXPECT_NE(text.find("101.0"), std::string::npos) << text;  // corner x 100.5 + 0.5
  EXPECT_EQ(text.find("\"slice\": -1"), std::string::npos) << "a shape without a plane got a slice";

  // A plane without a slice, a fractional or negative slice, a plane that is not a name: refused.
  const auto feature = [](const std::string& properties) {
    return R"({"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,1]},"properties":)" +
           properties + "}]}";
  };
  EXPECT_TRUE(fromGeoJson(feature(R"({"plane":"sagittal","slice":7})")).ok());
  const auto placed = fromGeoJson(feature(R"({"plane":"axial","slice":2,"patientCoordinates":[[-10.5,20,30.25]]})"));
  ASSERT_TRUE(placed.ok()) << placed.error().message;
  EXPECT_EQ(placed.value().annotations[0].patientPoints, (std::vector<std::array<double, 3>>{{-10.5, 20, 30.25}}));
  for (const char* bad : {R"({"plane":"axial"})", R"({"slice":3})", R"({"plane":"axial","slice":2.5})",
                          R"({"plane":"axial","slice":-1})", R"({"plane":4,"slice":3})", R"({"plane":"","slice":3})",
                          R"({"plane":"axial","slice":2,"patientCoordinates":[[1,2]]})",
                          R"({"plane":"axial","slice":2,"patientCoordinates":[[1,2,"z"]]})",
                          R"({"plane":"axial","slice":2,"patientCoordinates":{"x":1}})"}) {
    const auto refused = fromGeoJson(feature(bad));
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.error().message.find("feature 0"), std::string::npos) << refused.error().message;
  }
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
