// LabelLayer without a window: the edits a person makes (add, move a vertex, move a shape,
// delete), what the mouse hits, class colours, and label maps.

#include <gtest/gtest.h>

#include <set>

#include "meridian/viewers/LabelLayer.hpp"

namespace meridian::viewers {
namespace {

core::Annotation rectangle(Point2 a, Point2 b, std::string cls = "") {
  return {"", core::AnnotationShape::Rectangle, {a, b}, std::move(cls), "", "", -1};
}

TEST(LabelLayer, AddMoveAndDelete) {
  LabelLayer layer;
  auto rect = layer.add(rectangle({10, 10}, {30, 20}, "Tumor"));
  ASSERT_TRUE(rect.ok());
  auto poly = layer.add({"", core::AnnotationShape::Polygon, {{50, 50}, {70, 50}, {60, 70}}, "", "", "", -1});
  ASSERT_TRUE(poly.ok());
  EXPECT_NE(rect.value(), poly.value());
  EXPECT_FALSE(layer.add({"", core::AnnotationShape::Polygon, {{0, 0}, {1, 1}}, "", "", "", -1}).ok());
  EXPECT_FALSE(layer.add({"", core::AnnotationShape::Rectangle, {{0, 0}}, "", "", "", -1}).ok());

  // Rectangle corners clockwise from top-left; dragging the bottom-right keeps the top-left.
  EXPECT_EQ(LabelLayer::handles(*layer.find(rect.value())),
            (std::vector<Point2>{{10, 10}, {30, 10}, {30, 20}, {10, 20}}));
  ASSERT_TRUE(layer.moveHandle(rect.value(), 2, {40, 35}));
  EXPECT_EQ(LabelLayer::handles(*layer.find(rect.value())),
            (std::vector<Point2>{{10, 10}, {40, 10}, {40, 35}, {10, 35}}));
  // Dragging a corner past the opposite one flips the rectangle instead of breaking it.
  ASSERT_TRUE(layer.moveHandle(rect.value(), 0, {50, 50}));
  EXPECT_EQ(LabelLayer::handles(*layer.find(rect.value()))[0], (Point2{40, 35}));

  ASSERT_TRUE(layer.moveHandle(poly.value(), 2, {65, 80}));
  EXPECT_EQ(layer.find(poly.value())->points[2], (Point2{65, 80}));
  EXPECT_FALSE(layer.moveHandle(poly.value(), 3, {0, 0}));
  ASSERT_TRUE(layer.translate(poly.value(), -50, -50));
  EXPECT_EQ(layer.find(poly.value())->points[0], (Point2{0, 0}));

  layer.select(poly.value());
  EXPECT_TRUE(layer.remove(poly.value()));
  EXPECT_TRUE(layer.selected().empty());
  EXPECT_FALSE(layer.remove(poly.value()));
  EXPECT_EQ(layer.annotations().annotations.size(), 1u);
}

TEST(LabelLayer, ShapesFromAVolumesPlanesAreLeftOutOfA2DSet) {
  core::AnnotationSet set;
  set.annotations.push_back({"flat", core::AnnotationShape::Point, {{1, 2}}, "", "", "", -1});
  set.annotations.push_back({"axial", core::AnnotationShape::Point, {{3, 4}}, "", "", "axial", 12});
  set.annotations.push_back({"flat2", core::AnnotationShape::Point, {{5, 6}}, "", "", "", -1});
  EXPECT_EQ(LabelLayer::dropVolumeShapes(set), 1u);
  ASSERT_EQ(set.annotations.size(), 2u);
  EXPECT_EQ(set.annotations[0].id, "flat");
  EXPECT_EQ(set.annotations[1].id, "flat2");
  EXPECT_EQ(LabelLayer::dropVolumeShapes(set), 0u);
}

TEST(LabelLayer, HitTestingPrefersHandlesThenTheTopmostBody) {
  LabelLayer layer;
  const std::string below = layer.add(rectangle({0, 0}, {100, 100})).value();
  const std::string above = layer.add(rectangle({20, 20}, {40, 40})).value();
  const std::string point = layer.add({"", core::AnnotationShape::Point, {{80, 80}}, "", "", "", -1}).value();
  auto hit = layer.hitTest({30, 30}, 2);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->id, above);
  EXPECT_EQ(hit->handle, -1);
  hit = layer.hitTest({60, 60}, 2);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->id, below);
  hit = layer.hitTest({41, 39}, 2);  // near the upper rectangle's corner (40, 40)
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->id, above);
  EXPECT_EQ(hit->handle, 2);
  hit = layer.hitTest({81, 80}, 2);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->id, point);
  EXPECT_EQ(hit->handle, 0);
  EXPECT_FALSE(layer.hitTest({150, 150}, 2));
  // Inside a concave polygon's notch is outside the polygon.
  LabelLayer concave;
  ASSERT_TRUE(
      concave.add({"", core::AnnotationShape::Polygon, {{0, 0}, {100, 0}, {100, 100}, {50, 20}, {0, 100}}, "", "", "", -1})
          .ok());
  EXPECT_TRUE(concave.hitTest({50, 10}, 1));
  EXPECT_FALSE(concave.hitTest({50, 60}, 1));
}

TEST(LabelLayer, ClassColoursComeFromTheSetOrAStablePalette) {
  LabelLayer layer;
  layer.setClassColor("Tumor", {200, 0, 0});
  EXPECT_EQ(layer.colorOf("Tumor"), (Rgb{200, 0, 0}));
  EXPECT_EQ(layer.colorOf("Stroma"), LabelLayer().colorOf("Stroma"));
  // Classes met through add() get distinct palette colours, whatever their names hash to.
  std::set<Rgb> distinct;
  for (const char* name : {"Stroma", "Necrosis", "Immune", "Vessel", "Fat", "Mucin", "Nerve", "Muscle", "Lumen"}) {
    ASSERT_TRUE(layer.add({"", core::AnnotationShape::Point, {{1, 1}}, name, "", "", -1}).ok());
    distinct.insert(layer.colorOf(name));
  }
  EXPECT_EQ(distinct.size(), 9u);
  layer.setClassColor("Tumor", {0, 0, 200});
  EXPECT_EQ(layer.colorOf("Tumor"), (Rgb{0, 0, 200}));
  EXPECT_EQ(layer.annotations().classes.size(), 10u);
}

TEST(LabelLayer, LabelMapsMustMatchTheImageAndDrawInClassColours) {
  LabelLayer layer;
  auto labels = core::Image2D::allocate(4, 2, 1, core::PixelType::UInt8).value();
  labels.pixels<std::uint8_t>()[1] = 1;
  labels.pixels<std::uint8_t>()[6] = 2;
  const auto wrong = layer.setLabelMap(labels, 5, 2);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("4x2"), std::string::npos);
  EXPECT_NE(wrong.error().message.find("5x2"), std::string::npos);
  EXPECT_FALSE(layer.setLabelMap(core::Image2D::allocate(4, 2, 3, core::PixelType::UInt8).value(), 4, 2).ok());
  ASSERT_TRUE(layer.setLabelMap(labels, 4, 2).ok());
  layer.setLabelNames({"background", "Tumor", "Stroma"});
  layer.setClassColor("Tumor", {200, 0, 0});
  const auto rgba = layer.labelMapRgba(1.0);
  ASSERT_EQ(rgba.size(), 32u);
  EXPECT_EQ(rgba[3], 0);  // index 0: transparent
  EXPECT_EQ((std::array<std::uint8_t, 4>{rgba[4], rgba[5], rgba[6], rgba[7]}),
            (std::array<std::uint8_t, 4>{200, 0, 0, 255}));
  const Rgb stroma = layer.colorOf("Stroma");
  EXPECT_EQ(rgba[24], stroma[0]);
  EXPECT_EQ(rgba[27], 255);
}

}  // namespace
}  // namespace meridian::viewers
