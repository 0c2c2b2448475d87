// The 2D viewer's state, driven without a window.
#include <gtest/gtest.h>

#include "meridian/viewers/ImageViewState.hpp"

using meridian::viewers::ImageViewState;

TEST(ImageViewState, FitsTheImageCentredInTheView) {
  ImageViewState s;
  s.reset(200, 100, {1, 1}, {128, 256});
  s.setViewSize(800, 800);
  EXPECT_DOUBLE_EQ(s.viewScale(), 4.0);  // width limits: 800 / 200
  const auto centre = s.imageToView(99.5, 49.5);
  EXPECT_NEAR(centre[0], 400, 1e-9);
  EXPECT_NEAR(centre[1], 400, 1e-9);
  const auto topLeft = s.imageToView(-0.5, -0.5);  // outer corner of pixel (0, 0)
  EXPECT_NEAR(topLeft[0], 0, 1e-9);
  EXPECT_NEAR(topLeft[1], 200, 1e-9);
}

TEST(ImageViewState, AnisotropicSpacingStretchesRows) {
  ImageViewState s;
  s.reset(100, 100, {0.5, 2.0}, {0, 1});  // 50 mm wide, 200 mm tall
  s.setViewSize(400, 400);
  EXPECT_DOUBLE_EQ(s.viewScale(), 2.0);  // height limits: 400 / 200 mm
  const auto a = s.imageToView(10, 10), b = s.imageToView(11, 11);
  EXPECT_NEAR(b[0] - a[0], 1.0, 1e-9);  // 0.5 mm * 2 px/mm
  EXPECT_NEAR(b[1] - a[1], 4.0, 1e-9);  // 2 mm * 2 px/mm
}

TEST(ImageViewState, ZoomKeepsThePointUnderTheCursor) {
  ImageViewState s;
  s.reset(512, 512, {1, 1}, {0, 1});
  s.setViewSize(600, 400);
  const auto before = s.viewToImage(150, 120);
  s.zoomAbout(2.5, 150, 120);
  const auto after = s.viewToImage(150, 120);
  EXPECT_NEAR(after[0], before[0], 1e-9);
  EXPECT_NEAR(after[1], before[1], 1e-9);
  EXPECT_DOUBLE_EQ(s.zoom(), 2.5);
}

TEST(ImageViewState, PanMovesTheImageWithTheMouse) {
  ImageViewState s;
  s.reset(100, 100, {1, 1}, {0, 1});
  s.setViewSize(100, 100);
  const auto before = s.imageToView(30, 40);
  s.panBy(7, -3);
  const auto after = s.imageToView(30, 40);
  EXPECT_NEAR(after[0] - before[0], 7, 1e-9);
  EXPECT_NEAR(after[1] - before[1], -3, 1e-9);
}

TEST(ImageViewState, DragWindowWidensAndBrightens) {
  ImageViewState s;
  s.reset(10, 10, {1, 1}, {40, 400});
  s.dragWindow(64, 0);
  EXPECT_GT(s.window().width, 400);
  s.dragWindow(0, 32);  // drag down: lower level = brighter image
  EXPECT_LT(s.window().center, 40);
  s.dragWindow(-100000, 0);
  EXPECT_GT(s.window().width, 0) << "width never reaches zero";
}
