// The volume viewer's overlays under Xvfb with the demo CT: the heatmap's look (colour
// map, opacity, threshold, shown or not) predicted pixel by pixel on the planes, the colour
// bar, and a label map built from the CT itself whose class colours land exactly on its
// voxels in every plane; label maps that do not belong to the volume are refused.
// Screenshots go to build/test-output/ui (volume-overlay-*.png).

#include <gtest/gtest.h>

#include <QApplication>

#include <cmath>
#include <filesystem>
#include <memory>

#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>

#include "VolumeTestSupport.hpp"
#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/viewers/ColorBar.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"
#include "meridian/viewers/LabelLayer.hpp"
#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/OverlayTarget.hpp"
#include "meridian/viewers/Volume3DView.hpp"
#include "meridian/viewers/VolumeLabelMap.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using namespace meridian::testsupport;
using viewers::Plane;

namespace {

const fs::path kOut = MERIDIAN_TEST_OUTPUT;

void save(const QImage& image, const std::string& name) { ASSERT_TRUE(savePng(image, kOut, name)) << name; }

// A smooth blob (8 mm cells) in the CT's patient space around `peak`, values 0..1.
core::Volume blobMap(const core::Volume& ct, const core::Vec3& peak) {
  auto map = core::Volume::allocate({16, 16, 32}, core::PixelType::Float32).value();
  map.spacing = {8, 8, 8};
  map.origin = {ct.origin[0] + 3.5, ct.origin[1] + 3.5, ct.origin[2] + 3.5};
  auto* cells = reinterpret_cast<float*>(map.data());
  for (int k = 0; k < 32; ++k)
    for (int j = 0; j < 16; ++j)
      for (int i = 0; i < 16; ++i) {
        const core::Vec3 p = map.indexToPhysical({double(i), double(j), double(k)});
        const double d2 = std::pow(p[0] - peak[0], 2) + std::pow(p[1] - peak[1], 2) + std::pow(p[2] - peak[2], 2);
        cells[(k * 16 + j) * 16 + i] = static_cast<float>(std::exp(-d2 / (2 * 20.0 * 20.0)));
      }
  return map;
}

struct Rgb3 {
  double r, g, b;
};

// What a plane shows at screen pixel (vx, vy) with the heatmap blended at its opacity over
// `base` (the same pixel without overlays): the overlay is drawn with nearest
// interpolation, so the colour is that of the plane pixel whose centre is nearest.
std::optional<Rgb3> expectedHeatmapPixel(const viewers::VolumeViewer& viewer, Plane plane, int vx, int vy, QRgb base) {
  const auto& state = viewer.state();
  const auto px = state.view(plane).viewToImage(vx + 0.5, vy + 0.5);
  const double rx = std::round(px[0]), ry = std::round(px[1]);
  // Skip pixels on the boundary between two plane pixels (either may win).
  if (std::abs(px[0] - rx) > 0.4 || std::abs(px[1] - ry) > 0.4) return std::nullopt;
  const auto value =
      viewer.heatmap().sample(state.grid(plane).physical(rx, ry, state.depth(plane)), viewers::Interpolation::Linear);
  if (!value) return std::nullopt;
  const auto& layer = viewer.heatmap();
  if (layer.threshold() && *value < *layer.threshold())
    return Rgb3{double(qRed(base)), double(qGreen(base)), double(qBlue(base))};
  const auto range = layer.valueRange();
  const auto c = core::colorAt(layer.colorMap(), (*value - range[0]) / (range[1] - range[0]));
  const double a = layer.opacity();
  return Rgb3{a * c[0] + (1 - a) * qRed(base), a * c[1] + (1 - a) * qGreen(base), a * c[2] + (1 - a) * qBlue(base)};
}

// Over a grid of screen pixels of the plane, how many match the prediction (within
// `tolerance` per channel) out of how many were predicted.
std::array<int, 2> heatmapMatches(const viewers::VolumeViewer& viewer, Plane plane, const QImage& shot,
                                  const QImage& base, double tolerance) {
  int matched = 0, predicted = 0;
  for (int y = 5; y < shot.height() - 5; y += 7)
    for (int x = 5; x < shot.width() - 5; x += 7) {
      const auto expected = expectedHeatmapPixel(viewer, plane, x, y, base.pixel(x, y));
      if (!expected) continue;
      ++predicted;
      const QRgb c = shot.pixel(x, y);
      if (std::abs(qRed(c) - expected->r) <= tolerance && std::abs(qGreen(c) - expected->g) <= tolerance &&
          std::abs(qBlue(c) - expected->b) <= tolerance)
        ++matched;
    }
  return {matched, predicted};
}

int differingPixels(const QImage& a, const QImage& b, const QRect& area) {
  int n = 0;
  for (int y = area.top(); y <= area.bottom(); ++y)
    for (int x = area.left(); x <= area.right(); ++x)
      if (a.pixel(x, y) != b.pixel(x, y)) ++n;
  return n;
}

}  // namespace

TEST(VolumeOverlayGui, HeatmapColourMapOpacityAndThresholdRecolourThePlanesWhereTheMapIs) {
  viewers::VolumeViewer viewer;
  auto volume = demoCt();
  ASSERT_TRUE(viewer.setVolume(volume).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  viewers::OverlayTarget* target = &viewer;  // what the Tools & overlays dock drives
  const core::Vec3 peak = volume->indexToPhysical({50, 70, 120});
  viewer.state().setCrosshair(peak);
  viewer.refresh();
  processEvents();
  std::array<QImage, 3> base;
  for (Plane plane : viewers::kPlanes) base[static_cast<int>(plane)] = viewer.planeView(plane)->grabFramebuffer();
  auto* axialView = viewer.planeView(Plane::Axial);
  const QImage barBefore = axialView->grab().toImage();

  ASSERT_TRUE(viewer.setHeatmap(blobMap(*volume, peak)).ok());
  EXPECT_TRUE(target->heatmapVisible());
  const auto check = [&](const std::string& what, double tolerance) {
    processEvents();
    for (Plane plane : viewers::kPlanes) {
      const QImage shot = viewer.planeView(plane)->grabFramebuffer();
      const auto [matched, predicted] = heatmapMatches(viewer, plane, shot, base[static_cast<int>(plane)], tolerance);
      std::cout << what << ", " << viewers::toString(plane) << ": " << matched << " of " << predicted
                << " pixels as predicted\n";
      EXPECT_GT(predicted, 500) << what;
      EXPECT_GE(matched, 0.98 * predicted) << what << ", " << viewers::toString(plane);
    }
  };
  target->setHeatmapColorMap(core::ColorMap::Viridis);
  target->setHeatmapOpacity(1.0);
  check("viridis, opaque", 3.5);
  const QImage viridis = axialView->grabFramebuffer();
  target->setHeatmapColorMap(core::ColorMap::Hot);
  target->setHeatmapOpacity(0.5);
  check("hot, half", 3.5);
  const QImage hot = axialView->grabFramebuffer();
  EXPECT_GT(differingPixels(viridis, hot, viridis.rect()), viridis.width() * viridis.height() / 4);
  target->setHeatmapColorMap(core::ColorMap::Jet);
  target->setHeatmapThreshold(0.5);
  check("jet, half, threshold 0.5", 3.5);
  save(viewer.grab().toImage(), "volume-overlay-heatmap-jet-threshold.png");

  // The colour bar on the plane (drawn by Qt over the GL frame: in grab(), not in the framebuffer).
  const QImage barAfter = axialView->grab().toImage();
  const QRect bar = viewers::colorBarArea(axialView->size()).translated(-16, 0);
  EXPECT_GT(differingPixels(barBefore, barAfter, bar), bar.width() * bar.height() / 2) << "no colour bar";
  // Jet's top is dark red, its bottom dark blue.
  const QRgb top = barAfter.pixel(bar.center().x(), bar.top() + 3),
             bottom = barAfter.pixel(bar.center().x(), bar.bottom() - 3);
  EXPECT_GT(qRed(top), qBlue(top) + 60);
  EXPECT_GT(qBlue(bottom), qRed(bottom) + 60);

  // A threshold above the map's maximum hides it: the planes show the CT alone.
  target->setHeatmapThreshold(viewer.heatmap().dataRange()[1] + 0.01);
  processEvents();
  for (Plane plane : viewers::kPlanes)
    EXPECT_EQ(differingPixels(viewer.planeView(plane)->grabFramebuffer(), base[static_cast<int>(plane)],
                              base[static_cast<int>(plane)].rect()),
              0)
        << viewers::toString(plane);
  // Hidden: the same, and the colour bar goes too; shown again, it is back.
  target->setHeatmapThreshold(std::nullopt);
  target->setHeatmapVisible(false);
  processEvents();
  EXPECT_FALSE(target->heatmapVisible());
  EXPECT_EQ(differingPixels(axialView->grabFramebuffer(), base[0], base[0].rect()), 0);
  EXPECT_LT(differingPixels(barBefore, axialView->grab().toImage(), bar), 5);
  target->setHeatmapVisible(true);
  check("jet, half, shown again", 3.5);
}

TEST(VolumeOverlayGui, LabelMapFromTheCtShowsClassColoursExactlyOnItsVoxelsInEveryPlane) {
  viewers::VolumeViewer viewer;
  auto volume = demoCt();
  ASSERT_TRUE(viewer.setVolume(volume).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  // Class 1: the brightest voxels of the CT (contrast, bone, the stent); class 2: a box.
  const auto& n = volume->size();
  std::vector<double> values;
  for (int k = 0; k < n[2]; k += 4)
    for (int j = 0; j < n[1]; j += 4)
      for (int i = 0; i < n[0]; i += 4) values.push_back(volume->valueAt(i, j, k));
  std::nth_element(values.begin(), values.begin() + values.size() * 95 / 100, values.end());
  const double bright = values[values.size() * 95 / 100];
  auto labels = core::Volume::allocate(n, core::PixelType::UInt8).value();
  labels.spacing = volume->spacing;
  labels.origin = volume->origin;
  labels.direction = volume->direction;
  auto* out = labels.data();
  const std::array<int, 6> box{30, 40, 100, 70, 75, 150};  // i0, j0, k0, i1, j1, k1 (inclusive)
  const auto expectedClass = [&](int i, int j, int k) {
    if (i >= box[0] && i <= box[3] && j >= box[1] && j <= box[4] && k >= box[2] && k <= box[5]) return 2;
    return volume->valueAt(i, j, k) > bright ? 1 : 0;
  };
  for (int k = 0; k < n[2]; ++k)
    for (int j = 0; j < n[1]; ++j)
      for (int i = 0; i < n[0]; ++i)
        out[(static_cast<std::size_t>(k) * n[1] + j) * n[0] + i] = static_cast<std::uint8_t>(expectedClass(i, j, k));

  // Crosshair inside the box: every plane cuts both classes.
  viewer.state().setCrosshair(volume->indexToPhysical({50, 60, 125}));
  viewer.refresh();
  processEvents();
  std::array<QImage, 3> base;
  for (Plane plane : viewers::kPlanes) base[static_cast<int>(plane)] = viewer.planeView(plane)->grabFramebuffer();
  ASSERT_TRUE(viewer.setLabelMap(labels, {"", "bright", "box"}).ok());
  processEvents();
  save(viewer.grab().toImage(), "volume-overlay-label-map.png");

  viewers::LabelLayer palette;  // the colours the viewer promises: LabelLayer's, by class name
  palette.setLabelNames({"", "bright", "box"});
  const double a = std::lround(255 * viewers::VolumeViewer::kLabelOpacity) / 255.0;
  const auto& state = viewer.state();
  for (Plane plane : viewers::kPlanes) {
    const QImage shot = viewer.planeView(plane)->grabFramebuffer();
    const QImage& grey = base[static_cast<int>(plane)];
    std::array<int, 3> seen{0, 0, 0}, matched{0, 0, 0};
    for (int y = 3; y < shot.height() - 3; y += 3)
      for (int x = 3; x < shot.width() - 3; x += 3) {
        const auto px = state.view(plane).viewToImage(x + 0.5, y + 0.5);
        const double rx = std::round(px[0]), ry = std::round(px[1]);
        if (std::abs(px[0] - rx) > 0.4 || std::abs(px[1] - ry) > 0.4) continue;
        const core::Vec3 index = state.indexAtPixel(plane, rx, ry);
        int voxel[3];
        bool clear = true;
        for (int d = 0; d < 3; ++d) {
          voxel[d] = static_cast<int>(std::lround(index[d]));
          clear = clear && voxel[d] >= 0 && voxel[d] < n[d] && std::abs(index[d] - std::round(index[d])) < 0.45;
        }
        if (!clear) continue;
        const int cls = expectedClass(voxel[0], voxel[1], voxel[2]);
        const QRgb g = grey.pixel(x, y), c = shot.pixel(x, y);
        double e[3] = {double(qRed(g)), double(qGreen(g)), double(qBlue(g))};
        if (cls > 0) {
          const auto color = palette.labelColor(cls);
          for (int ch = 0; ch < 3; ++ch) e[ch] = a * color[ch] + (1 - a) * e[ch];
        }
        ++seen[cls];
        if (std::abs(qRed(c) - e[0]) <= 3.5 && std::abs(qGreen(c) - e[1]) <= 3.5 && std::abs(qBlue(c) - e[2]) <= 3.5)
          ++matched[cls];
      }
    std::cout << viewers::toString(plane) << ": class 0/1/2 pixels " << matched[0] << "/" << seen[0] << ", "
              << matched[1] << "/" << seen[1] << ", " << matched[2] << "/" << seen[2] << " as predicted\n";
    for (int cls = 0; cls < 3; ++cls) {
      EXPECT_GT(seen[cls], 30) << viewers::toString(plane) << " class " << cls;
      EXPECT_GE(matched[cls], 0.99 * seen[cls]) << viewers::toString(plane) << " class " << cls;
    }
  }

  // Cleared: the planes are the CT alone again.
  viewer.clearLabelMap();
  processEvents();
  for (Plane plane : viewers::kPlanes)
    EXPECT_EQ(differingPixels(viewer.planeView(plane)->grabFramebuffer(), base[static_cast<int>(plane)],
                              base[static_cast<int>(plane)].rect()),
              0);
}

TEST(VolumeOverlayGui, LabelMapsThatDoNotBelongToTheVolumeAreRefusedWithAReason) {
  viewers::VolumeViewer viewer;
  auto volume = demoCt();
  ASSERT_TRUE(viewer.setVolume(volume).ok());
  const auto& n = volume->size();
  const auto make = [&](std::array<int, 3> size, core::PixelType type, int channels = 1) {
    auto labels = core::Volume::allocate(size, type, core::PixelBuffer::Init::Zero, channels).value();
    labels.spacing = volume->spacing;
    labels.origin = volume->origin;
    labels.direction = volume->direction;
    return labels;
  };
  ASSERT_TRUE(viewer.setLabelMap(make(n, core::PixelType::UInt8)).ok());
  const auto refused = [&](core::Volume labels, const std::string& expected) {
    const auto status = viewer.setLabelMap(std::move(labels));
    ASSERT_FALSE(status.ok()) << expected;
    std::cout << "refused: " << status.error().message << "\n";
    EXPECT_NE(status.error().message.find(expected), std::string::npos) << status.error().message;
    EXPECT_TRUE(viewer.labelMap().hasLabels()) << "the previous label map must stay";
  };
  // Too large, and shifted by 5 voxels: another image's segmentation.
  refused(make({n[0] + 20, n[1], n[2]}, core::PixelType::UInt8), "does not fit");
  auto shifted = make(n, core::PixelType::UInt8);
  shifted.origin[2] += 5 * volume->spacing[2];
  refused(std::move(shifted), "does not fit");
  // Fractional class indices (a probability map is no label map).
  auto fractional = make(n, core::PixelType::Float32);
  reinterpret_cast<float*>(fractional.data())[1234] = 1.5f;
  refused(std::move(fractional), "1.5");
  auto negative = make(n, core::PixelType::Int16);
  reinterpret_cast<std::int16_t*>(negative.data())[99] = -3;
  refused(std::move(negative), "non-negative integer");
  refused(make(n, core::PixelType::UInt8, 3), "3");

  // Integer values stored as float (common in NIfTI segmentations), and a coarser grid that
  // covers the same extent, are fine.
  auto asFloat = make(n, core::PixelType::Float32);
  reinterpret_cast<float*>(asFloat.data())[77] = 4.0f;
  EXPECT_TRUE(viewer.setLabelMap(std::move(asFloat)).ok());
  EXPECT_EQ(viewer.labelMap().maxLabel(), 4);
  auto coarse = make({n[0] / 2, n[1] / 2, n[2] / 2}, core::PixelType::UInt8);
  coarse.spacing = {volume->spacing[0] * 2, volume->spacing[1] * 2, volume->spacing[2] * 2};
  coarse.origin = volume->indexToPhysical({0.5, 0.5, 0.5});
  EXPECT_TRUE(viewer.setLabelMap(std::move(coarse)).ok());
  // So is a segmentation of a crop of the volume (its origin at voxel (20, 30, 40)).
  auto cropped = make({64, 64, 100}, core::PixelType::UInt8);
  cropped.origin = volume->indexToPhysical({20, 30, 40});
  cropped.data()[0] = 3;
  ASSERT_TRUE(viewer.setLabelMap(std::move(cropped)).ok());
  EXPECT_EQ(viewer.labelMap().labelAt(volume->indexToPhysical({20, 30, 40})), 3);
  EXPECT_EQ(viewer.labelMap().labelAt(volume->indexToPhysical({19, 30, 40})), 0) << "outside the crop";
}

TEST(VolumeLabelMap, NearestVoxelOfAnAwkwardGridIsFoundFromPatientSpace) {
  // Permuted, flipped, anisotropic geometry: voxel (i, j, k) at origin + D (s ⊙ (i, j, k)).
  auto image = core::Volume::allocate({20, 30, 10}, core::PixelType::Int16).value();
  image.spacing = {0.8, 1.4, 2.0};
  image.origin = {35.5, -120.25, 410.0};
  image.direction = {0, -1, 0, 1, 0, 0, 0, 0, -1};
  auto labels = core::Volume::allocate({20, 30, 10}, core::PixelType::UInt16).value();
  labels.spacing = image.spacing;
  labels.origin = image.origin;
  labels.direction = image.direction;
  auto* v = reinterpret_cast<std::uint16_t*>(labels.data());
  for (int k = 0; k < 10; ++k)
    for (int j = 0; j < 30; ++j)
      for (int i = 0; i < 20; ++i)
        v[(k * 30 + j) * 20 + i] = static_cast<std::uint16_t>(1 + i + 20 * (j % 3) + 60 * (k % 2));
  viewers::VolumeLabelMap map;
  ASSERT_TRUE(map.set(labels, image).ok());
  for (int k = 0; k < 10; k += 3)
    for (int j = 0; j < 30; j += 7)
      for (int i = 0; i < 20; i += 5) {
        // A point 0.3 voxel off the centre along each axis still belongs to the voxel.
        const core::Vec3 p = image.indexToPhysical({i + 0.3, j - 0.3, k + 0.3});
        EXPECT_EQ(map.labelAt(p), v[(k * 30 + j) * 20 + i]) << i << " " << j << " " << k;
      }
  EXPECT_EQ(map.labelAt(image.indexToPhysical({-0.7, 0, 0})), 0) << "outside the map";
  // Colours: index 0 transparent, others opaque-ish in the palette's colour.
  const auto rgba = map.colorize({0, 3}, 0.4);
  EXPECT_EQ(rgba[3], 0);
  const auto c = map.colorOf(3);
  EXPECT_EQ(rgba[4], c[0]);
  EXPECT_EQ(rgba[7], 102);
}

TEST(VolumeOverlayGui, ScrollingOnePlaneWithAHeatmapRendersThatPlaneOnly) {
  // The overlays are sampled and coloured per plane, and only where something changed: an
  // axial scroll redraws the axial plane; the coronal and sagittal planes only move a
  // crosshair line (drawn by Qt), and a new colour map recolours without re-rendering the 3D view.
  viewers::VolumeViewer viewer;
  auto volume = demoCt();
  ASSERT_TRUE(viewer.setVolume(volume).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  const core::Vec3 peak = volume->indexToPhysical({64, 64, 128});
  ASSERT_TRUE(viewer.setHeatmap(blobMap(*volume, peak)).ok());
  ASSERT_TRUE(viewer.view3D()->waitUntilReady());  // its first frame is not one of those counted
  processEvents();
  std::array<int, 4> renders{0, 0, 0, 0};
  std::vector<vtkSmartPointer<vtkCallbackCommand>> observers;
  const auto watch = [&](viewers::VtkRenderWidget* widget, int slot) {
    auto command = vtkSmartPointer<vtkCallbackCommand>::New();
    command->SetClientData(&renders[slot]);
    command->SetCallback([](vtkObject*, unsigned long, void* counter, void*) { ++*static_cast<int*>(counter); });
    widget->renderWindow()->AddObserver(vtkCommand::StartEvent, command);
    observers.push_back(command);
  };
  for (Plane plane : viewers::kPlanes) watch(viewer.planeView(plane), static_cast<int>(plane));
  watch(viewer.view3D(), 3);
  viewer.state().scroll(Plane::Axial, 2);
  viewer.refresh();
  processEvents();
  std::cout << "renders after an axial scroll: axial " << renders[0] << ", coronal " << renders[1] << ", sagittal "
            << renders[2] << ", 3D " << renders[3] << "\n";
  EXPECT_GE(renders[0], 1);
  EXPECT_EQ(renders[1], 0);
  EXPECT_EQ(renders[2], 0);
  EXPECT_EQ(renders[3], 0);
  renders = {0, 0, 0, 0};
  viewer.setHeatmapColorMap(core::ColorMap::Hot);
  processEvents();
  EXPECT_GE(renders[0], 1);
  EXPECT_GE(renders[1], 1);
  EXPECT_GE(renders[2], 1);
  EXPECT_EQ(renders[3], 0);
}
