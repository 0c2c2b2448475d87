// ToolController2D without a window: the mouse sequences of each tool, in image pixel
// coordinates, and what they leave behind (measurements, label edits).

#include <gtest/gtest.h>

#include "meridian/viewers/ToolController2D.hpp"

namespace meridian::viewers {
namespace {

TEST(ToolsController, DistanceAndRoisAreDrags) {
  LabelLayer labels;
  ToolController2D tools(labels);
  tools.setTool(Tool2D::Distance);
  EXPECT_TRUE(tools.press({10, 10}, 1));
  EXPECT_TRUE(tools.move({20, 15}));
  ASSERT_TRUE(tools.draft());
  EXPECT_EQ(tools.draft()->points.back(), (Point2{20, 15}));
  EXPECT_TRUE(tools.release({13, 14}));
  ASSERT_EQ(tools.measurements().size(), 1u);
  EXPECT_EQ(tools.measurements()[0].kind, Measurement::Kind::Distance);
  EXPECT_EQ(tools.measurements()[0].points, (std::vector<Point2>{{10, 10}, {13, 14}}));
  EXPECT_FALSE(tools.draft());
  // Hovering without the button does nothing for drag tools; a click alone measures nothing.
  EXPECT_FALSE(tools.move({30, 30}));
  tools.press({5, 5}, 1);
  tools.release({5, 5});
  EXPECT_EQ(tools.measurements().size(), 1u);

  tools.setTool(Tool2D::EllipseRoi);
  tools.press({0, 0}, 1);
  tools.move({8, 6});
  tools.release({8, 6});
  ASSERT_EQ(tools.measurements().size(), 2u);
  EXPECT_EQ(tools.measurements()[1].kind, Measurement::Kind::EllipseRoi);
  // Delete with nothing selected removes the newest measurement.
  EXPECT_TRUE(tools.deleteSelected());
  EXPECT_EQ(tools.measurements().size(), 1u);
}

TEST(ToolsController, AngleIsAnArmDraggedThenAClick) {
  LabelLayer labels;
  ToolController2D tools(labels);
  tools.setTool(Tool2D::Angle);
  tools.press({10, 0}, 1);
  tools.move({0, 0});
  tools.release({0, 0});  // first arm: (10, 0) -> vertex (0, 0)
  ASSERT_TRUE(tools.draft());
  EXPECT_EQ(tools.draft()->points.size(), 3u);
  EXPECT_TRUE(tools.move({0, 7}));  // rubber band while hovering
  EXPECT_TRUE(tools.press({0, 10}, 1));
  tools.release({0, 10});
  ASSERT_EQ(tools.measurements().size(), 1u);
  EXPECT_EQ(tools.measurements()[0].points, (std::vector<Point2>{{10, 0}, {0, 0}, {0, 10}}));
  core::Image2D image = core::Image2D::allocate(20, 20, 1, core::PixelType::UInt8).value();
  EXPECT_EQ(measurementText(tools.measurements()[0], image, ""), "90.0°");
}

TEST(ToolsController, PolygonsCloseOnDoubleClickAndEscapeDropsThem) {
  LabelLayer labels;
  ToolController2D tools(labels);
  tools.setTool(Tool2D::LabelPolygon);
  tools.setLabelClass("Tumor");
  tools.press({0, 0}, 1);
  tools.release({0, 0});
  tools.move({10, 0});
  tools.press({10, 0}, 1);
  tools.release({10, 0});
  tools.press({10, 10}, 1);  // first click of the double-click
  tools.release({10, 10});
  EXPECT_TRUE(tools.doubleClick({10, 10}));
  ASSERT_EQ(labels.annotations().annotations.size(), 1u);
  const auto& polygon = labels.annotations().annotations[0];
  EXPECT_EQ(polygon.shape, core::AnnotationShape::Polygon);
  EXPECT_EQ(polygon.points, (std::vector<Point2>{{0, 0}, {10, 0}, {10, 10}}));
  EXPECT_EQ(polygon.className, "Tumor");
  EXPECT_EQ(labels.selected(), polygon.id);

  // Two vertices and Enter: refused with a reason, nothing added.
  tools.press({50, 50}, 1);
  tools.press({60, 50}, 1);
  EXPECT_TRUE(tools.finish());
  EXPECT_FALSE(tools.lastError().empty());
  EXPECT_EQ(labels.annotations().annotations.size(), 1u);
  // Escape drops a draft.
  tools.press({50, 50}, 1);
  EXPECT_TRUE(tools.cancel());
  EXPECT_FALSE(tools.draft());
}

TEST(ToolsController, EditMovesVerticesAndShapesAndDeleteRemoves) {
  LabelLayer labels;
  ToolController2D tools(labels);
  tools.setTool(Tool2D::LabelRectangle);
  tools.press({10, 10}, 1);
  tools.move({30, 20});
  tools.release({30, 20});
  tools.setTool(Tool2D::LabelPoint);
  tools.press({50, 50}, 1);
  ASSERT_EQ(labels.annotations().annotations.size(), 2u);
  const std::string rect = labels.annotations().annotations[0].id;

  tools.setTool(Tool2D::EditLabels);
  // Grab the rectangle's bottom-right corner (within tolerance) and drag it.
  tools.press({31, 21}, 2);
  EXPECT_EQ(labels.selected(), rect);
  tools.move({40, 25});
  tools.release({40, 25});
  EXPECT_EQ(LabelLayer::handles(*labels.find(rect))[2], (Point2{40, 25}));
  // Grab the body and move the whole rectangle by (5, 5).
  tools.press({20, 15}, 2);
  tools.move({25, 20});
  tools.release({25, 20});
  EXPECT_EQ(LabelLayer::handles(*labels.find(rect))[0], (Point2{15, 15}));
  // Delete removes the selected shape; clicking empty space deselects.
  EXPECT_TRUE(tools.deleteSelected());
  EXPECT_FALSE(labels.find(rect));
  tools.press({200, 200}, 2);
  EXPECT_TRUE(labels.selected().empty());
}

}  // namespace
}  // namespace meridian::viewers
