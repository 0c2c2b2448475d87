// The Qt-free rules of which label map fits which viewer (viewers/OverlayFit.hpp), driven
// without a window; and readLabelMapFor(), which reads real files the way those rules say.

#include <gtest/gtest.h>

#include <filesystem>

#include "meridian/io/ImageWriter.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/ui/LabelMapFile.hpp"
#include "meridian/viewers/OverlayFit.hpp"

using namespace meridian;
using viewers::FittedLabelMap;
using viewers::LabelMapReading;
using viewers::ShownContent;
using viewers::ViewerKind;

namespace {
const std::filesystem::path kDemo = MERIDIAN_TEST_DEMO_DATA;

core::Volume labels(int w, int h, int d) {
  return core::Volume::allocate({w, h, d}, core::PixelType::UInt8, core::PixelBuffer::Init::Zero).value();
}
core::Image2D mask(int w, int h, int channels = 1) {
  return core::Image2D::allocate(w, h, channels, core::PixelType::UInt8).value();
}
}  // namespace

TEST(OverlayFit, NothingShownTakesNoOverlay) {
  for (ViewerKind kind : {ViewerKind::Image2D, ViewerKind::Volume, ViewerKind::Slide}) {
    const ShownContent empty{kind, false, 0, 0};
    EXPECT_FALSE(viewers::acceptsOverlays(empty).ok()) << toString(kind);
    const auto fitted = viewers::fitLabelMap(empty, LabelMapReading::Registry, labels(4, 4, 1), "m.nii");
    ASSERT_FALSE(fitted.ok());
    EXPECT_NE(fitted.error().message.find("open an image, volume or slide first"), std::string::npos);
  }
}

TEST(OverlayFit, OnlyASlideWithAGeometryFormatReadsTheMapWithItsGeometry) {
  EXPECT_EQ(viewers::labelMapReading({ViewerKind::Slide, true, 4096, 4096}, true), LabelMapReading::MapWithGeometry);
  EXPECT_EQ(viewers::labelMapReading({ViewerKind::Slide, true, 4096, 4096}, false), LabelMapReading::Registry);
  EXPECT_EQ(viewers::labelMapReading({ViewerKind::Volume, true}, true), LabelMapReading::Registry);
  EXPECT_EQ(viewers::labelMapReading({ViewerKind::Image2D, true, 10, 10}, true), LabelMapReading::Registry);
}

TEST(OverlayFit, TwoDImageTakesOnePlaneAsAnImage) {
  const ShownContent shown{ViewerKind::Image2D, true, 8, 6};
  auto onePlane = viewers::fitLabelMap(shown, LabelMapReading::Registry, labels(8, 6, 1), "one.nii");
  ASSERT_TRUE(onePlane.ok()) << onePlane.error().message;
  ASSERT_TRUE(std::holds_alternative<core::Image2D>(onePlane.value()));
  EXPECT_EQ(std::get<core::Image2D>(onePlane.value()).width(), 8);
  auto planes = viewers::fitLabelMap(shown, LabelMapReading::Registry, labels(8, 6, 3), "three.nii");
  ASSERT_FALSE(planes.ok());
  EXPECT_NE(planes.error().message.find("three.nii: has 3 planes"), std::string::npos) << planes.error().message;
  EXPECT_TRUE(viewers::fitLabelMap(shown, LabelMapReading::Registry, mask(8, 6), "m.png").ok());
}

TEST(OverlayFit, VolumeTakesOnlyAVolume) {
  const ShownContent shown{ViewerKind::Volume, true, 0, 0};
  auto asImage = viewers::fitLabelMap(shown, LabelMapReading::Registry, mask(8, 6), "flat.png");
  ASSERT_FALSE(asImage.ok());
  EXPECT_NE(asImage.error().message.find("3D label map"), std::string::npos);
  auto asVolume = viewers::fitLabelMap(shown, LabelMapReading::Registry, labels(8, 6, 5), "seg.nii.gz");
  ASSERT_TRUE(asVolume.ok());
  EXPECT_TRUE(std::holds_alternative<core::Volume>(asVolume.value()));
}

TEST(OverlayFit, SlideTakesAGeometryMapOrAWholeSlideMaskNeverASlide) {
  const ShownContent shown{ViewerKind::Slide, true, 4096, 2048};
  // A PNG mask at 1/64 of the slide: placed over the whole slide, 64 level-0 px per cell.
  auto fromMask = viewers::fitLabelMap(shown, LabelMapReading::Registry, mask(64, 32), "mask.png");
  ASSERT_TRUE(fromMask.ok()) << fromMask.error().message;
  const auto& placed = std::get<core::Volume>(fromMask.value());
  EXPECT_DOUBLE_EQ(placed.spacing[0], 64.0);
  EXPECT_DOUBLE_EQ(placed.origin[0], 31.5);
  // Another aspect ratio: a mask of another slide.
  EXPECT_FALSE(viewers::fitLabelMap(shown, LabelMapReading::Registry, mask(64, 64), "square.png").ok());
  // A colour picture is not a labelled image.
  EXPECT_FALSE(viewers::fitLabelMap(shown, LabelMapReading::Registry, mask(64, 32, 3), "photo.png").ok());
  // A multi-plane file read without geometry (a TIFF stack) is refused; read with geometry it passes on.
  auto stack = viewers::fitLabelMap(shown, LabelMapReading::Registry, labels(64, 32, 2), "stack.tif");
  ASSERT_FALSE(stack.ok());
  EXPECT_NE(stack.error().message.find("one-plane"), std::string::npos);
  EXPECT_TRUE(viewers::fitLabelMap(shown, LabelMapReading::MapWithGeometry, labels(64, 32, 1), "cells.nii.gz").ok());
  auto slide = io::ReaderRegistry::builtin().open(kDemo / "pathology-ihc-slide.tif");
  ASSERT_TRUE(slide.ok());
  auto refused = viewers::fitLabelMap(shown, LabelMapReading::Registry,
                                      std::get<std::shared_ptr<core::SlideSource>>(slide.value().content), "s.tif");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("a whole slide is not a label map"), std::string::npos);
}

// The real demo files, read as the rules say: the photograph is 3-channel (refused by the
// 2D viewer later, as a picture), the CT NIfTI is a volume the volume viewer takes, and
// the slide itself is never a label map.
TEST(LabelMapFile, ReadsRealFilesForEachViewer) {
  auto ct = ui::readLabelMapFor({ViewerKind::Volume, true}, kDemo / "ct-abdomen-stent.nii.gz");
  ASSERT_TRUE(ct.ok()) << ct.error().message;
  EXPECT_EQ(std::get<core::Volume>(ct.value()).size()[2], 256);
  auto onTwoD = ui::readLabelMapFor({ViewerKind::Image2D, true, 100, 100}, kDemo / "ct-abdomen-stent.nii.gz");
  ASSERT_FALSE(onTwoD.ok());
  EXPECT_NE(onTwoD.error().message.find("planes"), std::string::npos) << onTwoD.error().message;
  auto slideAsLabels = ui::readLabelMapFor({ViewerKind::Slide, true, 4096, 4096}, kDemo / "pathology-ihc-slide.tif");
  EXPECT_FALSE(slideAsLabels.ok());
  auto missing = ui::readLabelMapFor({ViewerKind::Volume, true}, kDemo / "no-such-map.nii.gz");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no-such-map"), std::string::npos);
}
