// The "Tools & overlays" dock in the main window: its controls act on the viewer that is on
// screen (not on a hidden one), and "Load label map…" puts a segmentation over the open
// image or refuses it with the reason. Real demo images; the label map is made from the
// image's own pixels so that its classes follow real structure.

#include <gtest/gtest.h>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSlider>

#include <filesystem>

#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"
#include "meridian/viewers/OverlayPanel.hpp"
#include "meridian/viewers/OverlayTarget.hpp"
#include "meridian/viewers/SlideViewer.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kOut = MERIDIAN_TEST_OUTPUT;

template <typename W>
W* control(ui::MainWindow& window, const char* name) {
  auto* w = window.overlayPanel()->findChild<W*>(QString::fromLatin1(name));
  EXPECT_NE(w, nullptr) << name;
  return w;
}

// A cells x cells map over a width x height image (HeatmapLayer's convention), value = row.
core::Volume rowMap(int width, int height, int cells) {
  auto map = core::Volume::allocate({cells, cells, 1}, core::PixelType::Float32, core::PixelBuffer::Init::Zero).value();
  map.spacing = {double(width) / cells, double(height) / cells, 1.0};
  map.origin = {map.spacing[0] / 2 - 0.5, map.spacing[1] / 2 - 0.5, 0.0};
  auto* v = reinterpret_cast<float*>(map.data());
  for (int y = 0; y < cells; ++y)
    for (int x = 0; x < cells; ++x) v[y * cells + x] = float(y);
  return map;
}

// Class 1 where the photo's green channel is brighter than `level`, class 2 in a box.
core::Image2D labelsFrom(const core::Image2D& photo, double level) {
  auto labels = core::Image2D::allocate(photo.width(), photo.height(), 1, core::PixelType::UInt8).value();
  auto* out = labels.data();
  for (int y = 0; y < photo.height(); ++y)
    for (int x = 0; x < photo.width(); ++x) {
      std::uint8_t c = photo.valueAt(x, y, 1) > level ? 1 : 0;
      if (x >= 10 && x < 60 && y >= 20 && y < 50) c = 2;
      out[static_cast<std::size_t>(y) * photo.width() + x] = c;
    }
  return labels;
}

}  // namespace

TEST(OverlayPanel, ItsControlsActOnTheViewerOnScreen) {
  ui::MainWindow window;
  ASSERT_TRUE(window.openPath(kDemo / "fundus-retina.jpg").ok());
  auto* viewer = window.viewer();
  EXPECT_EQ(window.overlayPanel()->target(), static_cast<viewers::OverlayTarget*>(viewer));
  auto* opacity = control<QSlider>(window, "heatmapOpacity");
  auto* colours = control<QComboBox>(window, "heatmapColorMap");
  auto* useThreshold = control<QCheckBox>(window, "heatmapUseThreshold");
  auto* threshold = control<QDoubleSpinBox>(window, "heatmapThreshold");
  ASSERT_TRUE(opacity && colours && useThreshold && threshold);
  EXPECT_FALSE(opacity->isEnabled()) << "no map yet: nothing to adjust";

  const int w = viewer->image().width(), h = viewer->image().height();
  ASSERT_TRUE(window.setHeatmapOnCurrentViewer(rowMap(w, h, 14)).ok());
  EXPECT_TRUE(opacity->isEnabled());
  opacity->setValue(80);
  EXPECT_DOUBLE_EQ(viewer->heatmap().opacity(), 0.8);
  colours->setCurrentIndex(colours->findData(static_cast<int>(core::ColorMap::Hot)));
  EXPECT_EQ(viewer->heatmap().colorMap(), core::ColorMap::Hot);
  threshold->setValue(6.5);
  useThreshold->setChecked(true);
  ASSERT_TRUE(viewer->heatmap().threshold().has_value());
  EXPECT_DOUBLE_EQ(*viewer->heatmap().threshold(), 6.5);
  EXPECT_DOUBLE_EQ(threshold->maximum(), 13.0) << "the spin box spans the map's values";

  // Another kind of content: the panel follows the viewer that shows it.
  ASSERT_TRUE(window.openPath(kDemo / "ct-abdomen-stent.nii.gz").ok());
  EXPECT_EQ(window.overlayPanel()->target(), dynamic_cast<viewers::OverlayTarget*>(window.volumeViewer()));
  ASSERT_TRUE(window.openPath(kDemo / "pathology-ihc-slide.tif").ok());
  EXPECT_EQ(window.overlayPanel()->target(), static_cast<viewers::OverlayTarget*>(window.slideViewer()));
  // The slide's own tools only (no probe or ROI statistics), and its heatmap look.
  auto* probe = control<QWidget>(window, "tool-1");
  auto* distance = control<QWidget>(window, "tool-2");
  ASSERT_TRUE(probe && distance);
  EXPECT_TRUE(probe->isHidden());
  EXPECT_FALSE(distance->isHidden());
  EXPECT_TRUE(control<QWidget>(window, "loadLabelMap")->isEnabled());
  auto slideMap = rowMap(4096, 4096, 16);
  ASSERT_TRUE(window.setHeatmapOnCurrentViewer(std::move(slideMap)).ok());
  opacity->setValue(30);
  EXPECT_DOUBLE_EQ(window.slideViewer()->heatmap().opacity(), 0.3);
  EXPECT_DOUBLE_EQ(viewer->heatmap().opacity(), 0.8) << "the hidden 2D viewer is left alone";
  ASSERT_TRUE(window.openPath(kDemo / "fundus-retina.jpg").ok());
  EXPECT_EQ(window.overlayPanel()->target(), static_cast<viewers::OverlayTarget*>(viewer));
}

TEST(OverlayPanel, ALabelMapIsLoadedOverTheImageOrRefusedWithTheReason) {
  ui::MainWindow window;
  ASSERT_TRUE(window.openPath(kDemo / "fundus-retina.jpg").ok());
  const core::Image2D photo = window.viewer()->image();
  ASSERT_EQ(photo.channels(), 3);
  const core::Image2D labels = labelsFrom(photo, 100.0);
  fs::create_directories(kOut);
  const fs::path file = kOut / "fundus-labels.png";
  ASSERT_TRUE(io::writeImage(labels, file).ok());

  const auto loaded = window.loadLabelMapOnCurrentViewer(file);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  const core::Image2D& shown = window.viewer()->labels().labelMap();
  ASSERT_EQ(shown.width(), photo.width());
  ASSERT_EQ(shown.height(), photo.height());
  int ones = 0, mismatches = 0;
  for (int y = 0; y < photo.height(); ++y)
    for (int x = 0; x < photo.width(); ++x) {
      const double expected = labels.valueAt(x, y), seen = shown.valueAt(x, y);
      mismatches += expected != seen;
      ones += seen == 1;
    }
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(ones, 100) << "the bright retina is class 1";

  // The panel's label-map opacity reaches the viewer and changes what is drawn.
  auto* labelOpacity = control<QSlider>(window, "labelMapOpacity");
  ASSERT_TRUE(labelOpacity && labelOpacity->isEnabled());
  EXPECT_EQ(labelOpacity->value(), 40);
  window.viewer()->resize(600, 400);
  const QImage faint = window.viewer()->renderView();
  labelOpacity->setValue(90);
  EXPECT_DOUBLE_EQ(window.viewer()->labelMapOpacity(), 0.9);
  const QImage strong = window.viewer()->renderView();
  ASSERT_EQ(faint.size(), strong.size());
  int changed = 0;
  for (int y = 0; y < faint.height(); y += 4)
    for (int x = 0; x < faint.width(); x += 4) changed += faint.pixel(x, y) != strong.pixel(x, y);
  EXPECT_GT(changed, 50) << "a stronger label map shows";

  // Made for another image: refused with both sizes, and the loaded one stays.
  auto cropped = core::Image2D::allocate(photo.width() - 7, photo.height(), 1, core::PixelType::UInt8).value();
  const fs::path wrongSize = kOut / "fundus-labels-wrong-size.png";
  ASSERT_TRUE(io::writeImage(cropped, wrongSize).ok());
  const auto refused = window.loadLabelMapOnCurrentViewer(wrongSize);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find(std::to_string(photo.width() - 7)), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find(std::to_string(photo.width())), std::string::npos);
  EXPECT_EQ(window.viewer()->labels().labelMap().width(), photo.width());

  // A colour photo is no label map; nor is a stack of planes for a single image.
  EXPECT_FALSE(window.loadLabelMapOnCurrentViewer(kDemo / "fundus-retina.jpg").ok());
  auto stack = core::Volume::allocate({photo.width(), photo.height(), 3}, core::PixelType::UInt8,
                                      core::PixelBuffer::Init::Zero)
                   .value();
  const fs::path stackFile = kOut / "fundus-labels-3-planes.nii.gz";
  ASSERT_TRUE(io::writeVolume(stack, stackFile).ok());
  const auto planes = window.loadLabelMapOnCurrentViewer(stackFile);
  ASSERT_FALSE(planes.ok());
  EXPECT_NE(planes.error().message.find("3 planes"), std::string::npos) << planes.error().message;
  EXPECT_FALSE(window.loadLabelMapOnCurrentViewer(kOut / "no-such-labels.png").ok());

  // On a slide, a mask without geometry covers the whole slide at its own downsample
  // (here 32: 128 x 128 over the 4096 x 4096 level 0); one of another shape is refused.
  ASSERT_TRUE(window.openPath(kDemo / "pathology-ihc-slide.tif").ok());
  auto mask = core::Image2D::allocate(128, 128, 1, core::PixelType::UInt8).value();
  for (int y = 40; y < 80; ++y)
    for (int x = 10; x < 50; ++x) mask.data()[y * 128 + x] = 2;
  const fs::path maskFile = kOut / "slide-mask-ds32.png";
  ASSERT_TRUE(io::writeImage(mask, maskFile).ok());
  const auto onSlide = window.loadLabelMapOnCurrentViewer(maskFile);
  ASSERT_TRUE(onSlide.ok()) << onSlide.error().describe();
  const auto& slideLabels = window.slideViewer()->labelMap();
  ASSERT_TRUE(slideLabels.hasLabels());
  EXPECT_EQ(slideLabels.maxLabel(), 2);
  EXPECT_EQ(slideLabels.labelAt({20 * 32 + 16, 50 * 32 + 16, 0}), 2) << "mask pixel (20, 50) is level-0 (656, 1616)";
  EXPECT_EQ(slideLabels.labelAt({60 * 32 + 16, 50 * 32 + 16, 0}), 0);
  // A NIfTI map carries its own level-0 geometry: here cells of 64 px, class 3 in one cell.
  auto cells = core::Volume::allocate({64, 64, 1}, core::PixelType::UInt8, core::PixelBuffer::Init::Zero).value();
  cells.spacing = {64.0, 64.0, 1.0};
  cells.origin = {31.5, 31.5, 0.0};
  cells.data()[10 * 64 + 5] = 3;  // cell (5, 10): level-0 x 320..383, y 640..703
  const fs::path cellsFile = kOut / "slide-labels-64px-cells.nii.gz";
  ASSERT_TRUE(io::writeVolume(cells, cellsFile).ok());
  const auto withGeometry = window.loadLabelMapOnCurrentViewer(cellsFile);
  ASSERT_TRUE(withGeometry.ok()) << withGeometry.error().describe();
  EXPECT_EQ(window.slideViewer()->labelMap().labelAt({350, 670, 0}), 3);
  EXPECT_EQ(window.slideViewer()->labelMap().labelAt({420, 670, 0}), 0);
  ASSERT_TRUE(window.loadLabelMapOnCurrentViewer(maskFile).ok());
  control<QSlider>(window, "labelMapOpacity")->setValue(15);
  EXPECT_DOUBLE_EQ(window.slideViewer()->labelMapOpacity(), 0.15);
  auto wide = core::Image2D::allocate(128, 96, 1, core::PixelType::UInt8).value();
  const fs::path wideFile = kOut / "slide-mask-wrong-shape.png";
  ASSERT_TRUE(io::writeImage(wide, wideFile).ok());
  const auto refusedOnSlide = window.loadLabelMapOnCurrentViewer(wideFile);
  ASSERT_FALSE(refusedOnSlide.ok());
  EXPECT_NE(refusedOnSlide.error().message.find("slide"), std::string::npos) << refusedOnSlide.error().message;
  EXPECT_EQ(window.slideViewer()->labelMap().maxLabel(), 2) << "the loaded map stays";
}

TEST(OverlayPanel, AVolumeTakesASegmentationInItsOwnSpace) {
  ui::MainWindow window;
  ASSERT_TRUE(window.openPath(kDemo / "ct-abdomen-stent.nii.gz").ok());
  ASSERT_EQ(window.currentViewer(), static_cast<QWidget*>(window.volumeViewer()));
  EXPECT_TRUE(control<QWidget>(window, "loadLabelMap")->isEnabled());
  const core::Volume& ct = *window.volumeViewer()->volume();
  // Class 1 = the CT's densest voxels (stent, bone), on the CT's own grid.
  auto labels = core::Volume::allocate(ct.size(), core::PixelType::UInt8, core::PixelBuffer::Init::Zero).value();
  labels.spacing = ct.spacing;
  labels.origin = ct.origin;
  labels.direction = ct.direction;
  const auto [nx, ny, nz] = ct.size();
  std::size_t dense = 0;
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i)
        if (ct.valueAt(i, j, k) > 1500) {
          labels.data()[(static_cast<std::size_t>(k) * ny + j) * nx + i] = 1;
          ++dense;
        }
  ASSERT_GT(dense, 100u);
  fs::create_directories(kOut);
  const fs::path file = kOut / "ct-dense-labels.nii.gz";
  ASSERT_TRUE(io::writeVolume(labels, file).ok());
  const auto loaded = window.loadLabelMapOnCurrentViewer(file);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  const auto& shown = window.volumeViewer()->labelMap();
  ASSERT_TRUE(shown.hasLabels());
  EXPECT_EQ(shown.maxLabel(), 1);
  control<QSlider>(window, "labelMapOpacity")->setValue(70);
  EXPECT_DOUBLE_EQ(window.volumeViewer()->labelMapOpacity(), 0.7);

  // A 2D picture is no segmentation of a volume; the loaded map stays.
  const fs::path flat = kOut / "fundus-labels.png";
  ASSERT_TRUE(io::writeImage(core::Image2D::allocate(64, 64, 1, core::PixelType::UInt8).value(), flat).ok());
  const auto refused = window.loadLabelMapOnCurrentViewer(flat);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("3D label map"), std::string::npos) << refused.error().message;
  // Shifted far from the CT: refused by the viewer, with the file named.
  labels.origin = {ct.origin[0] + 1000.0, ct.origin[1], ct.origin[2]};
  const fs::path shifted = kOut / "ct-dense-labels-shifted.nii.gz";
  ASSERT_TRUE(io::writeVolume(labels, shifted).ok());
  const auto elsewhere = window.loadLabelMapOnCurrentViewer(shifted);
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_NE(elsewhere.error().message.find("ct-dense-labels-shifted"), std::string::npos) << elsewhere.error().message;
  EXPECT_TRUE(window.volumeViewer()->labelMap().hasLabels());
}
