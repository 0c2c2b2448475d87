// The volume viewer under Xvfb with the demo CT: three planes, 3D, presets, a linked
// crosshair driven by real mouse events, a heatmap overlay, and a voxel of known position
// in a volume of awkward geometry landing where MprGeometry predicts. Screenshots go to
// build/test-output/ui (volume-viewer-*.png).

#include <gtest/gtest.h>

#include <QApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "VolumeTestSupport.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"
#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/Volume3DView.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using namespace meridian::testsupport;
using viewers::Plane;

namespace {

const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kOut = MERIDIAN_TEST_OUTPUT;

void save(const QImage& image, const std::string& name) { ASSERT_TRUE(savePng(image, kOut, name)) << name; }

// Centre of mass of the screen pixels brighter than `threshold` (x, y, count).
std::array<double, 3> brightCentroid(const QImage& shot, double threshold) {
  double sx = 0, sy = 0, n = 0;
  for (int y = 0; y < shot.height(); ++y)
    for (int x = 0; x < shot.width(); ++x)
      if (luminance(shot.pixel(x, y)) > threshold) {
        sx += x + 0.5;
        sy += y + 0.5;
        n += 1;
      }
  return {n ? sx / n : -1, n ? sy / n : -1, n};
}

}  // namespace

TEST(VolumeViewerGui, MainWindowShowsTheDemoCtInThreePlanesAnd3D) {
  ui::MainWindow window;
  ASSERT_TRUE(window.openPath(kDemo / "ct-abdomen-stent.nii.gz").ok());
  auto* viewer = window.volumeViewer();
  EXPECT_EQ(window.currentViewer(), static_cast<QWidget*>(viewer));
  ASSERT_TRUE(showExposed(window, 1600, 1000));
  save(window.grab().toImage(), "volume-viewer-2x2.png");
  const core::Volume& volume = *viewer->volume();
  EXPECT_EQ(window.currentSlice(), 128);
  for (Plane plane : viewers::kPlanes) {
    const QImage shot = viewer->planeView(plane)->grabFramebuffer();
    const double r = planeCorrelation(shot, viewer->state(), plane, volume, viewer->storedWindow());
    const double rOther = planeCorrelation(shot, viewer->state(), plane, volume, viewer->storedWindow(), 20);
    std::cout << viewers::toString(plane) << ": r = " << r << ", 20 slices away r = " << rOther << "\n";
    EXPECT_GT(r, 0.98) << viewers::toString(plane) << " plane does not show the slice the state says";
    EXPECT_LT(rOther, 0.8) << viewers::toString(plane) << ": a slice 20 voxels away fits as well";
  }
  // The 3D view draws after the planes' first frame (issue 17); then it shows the volume.
  ASSERT_TRUE(viewer->view3D()->waitUntilReady()) << "the 3D view never took the volume";
  EXPECT_EQ(viewer->view3D()->drawnFactors(), (std::array<int, 3>{1, 1, 1})) << "a small CT is drawn whole";
  const QImage shot3D = viewer->view3D()->grabFramebuffer();
  save(shot3D, "volume-viewer-3d-bone.png");
  EXPECT_GT(standardDeviation(shot3D), 10.0) << "3D view is blank";
  EXPECT_EQ(viewer->view3D()->lastRenderMode().toStdString(), "GPU") << "not GPU ray casting";
}

TEST(VolumeViewerGui, The3DViewLooksFromTheFrontWithTheHeadUpAndTheLeftOnTheRight) {
  // Three bright cubes in the real CT, all at the depth of the volume's centre (the same
  // patient y): one at the centre, one towards the patient's left and head, one towards the
  // right and feet. On the MIP from the front (anterior, head up, patient's left on the
  // screen's right, as the coronal plane shows it) the centre cube lands at the view's
  // centre and the other two where a uniform projection puts them: screen x grows with
  // patient x, screen y falls with patient z, by the same scale. A flipped, transposed or
  // side-on camera fails this; "not blank" did not.
  auto volume = demoCt();
  ASSERT_TRUE(volume);
  ASSERT_EQ(volume->pixelType(), core::PixelType::Int16);
  const auto& n = volume->size();
  const int j = n[1] / 2;
  const std::array<core::Vec3, 3> markers{core::Vec3{double(n[0] / 2), double(j), double(n[2] / 2)},
                                          core::Vec3{double(n[0] / 2 + n[0] / 4), double(j), double(n[2] / 2 + n[2] / 4)},
                                          core::Vec3{double(n[0] / 2 - n[0] / 4), double(j), double(n[2] / 2 - n[2] / 4)}};
  const double top = volume->valueRange()[1];
  auto* voxels = reinterpret_cast<std::int16_t*>(volume->data());
  std::array<core::Vec3, 3> physical{};
  for (std::size_t m = 0; m < markers.size(); ++m) {
    physical[m] = volume->indexToPhysical(markers[m]);
    for (int dk = -2; dk <= 2; ++dk)
      for (int dj = -2; dj <= 2; ++dj)
        for (int di = -2; di <= 2; ++di) {
          const auto& c = markers[m];
          const std::size_t at = (static_cast<std::size_t>(c[2] + dk) * n[1] + static_cast<std::size_t>(c[1] + dj)) * n[0] +
                                 static_cast<std::size_t>(c[0] + di);
          voxels[at] = static_cast<std::int16_t>(top + 3000);
        }
  }
  // Their depth (patient y) is one: the projection then scales x and z alike.
  ASSERT_NEAR(physical[1][1], physical[0][1], 1e-6);
  ASSERT_NEAR(physical[2][1], physical[0][1], 1e-6);
  viewers::VolumeViewer viewer;
  ASSERT_TRUE(viewer.setVolume(volume).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  viewer.set3DPreset(viewers::Volume3DPreset::Mip);
  ASSERT_TRUE(viewer.view3D()->waitUntilReady());
  processEvents();
  const QImage shot = viewer.view3D()->grabFramebuffer();
  save(shot, "volume-viewer-3d-mip-markers.png");
  // The markers are the only white on the MIP (its grey ramp ends 3000 above the CT's top).
  std::array<std::array<double, 3>, 3> found{};
  for (std::size_t m = 0; m < 3; ++m) found[m] = {0, 0, 0};
  const double midX = shot.width() / 2.0, midY = shot.height() / 2.0;
  for (int y = 0; y < shot.height(); ++y)
    for (int x = 0; x < shot.width(); ++x) {
      if (luminance(shot.pixel(x, y)) < 240) continue;
      // Which marker: the centre one near the middle, the others by the quadrant they are in.
      const double dx = x + 0.5 - midX, dy = y + 0.5 - midY;
      const std::size_t m = std::hypot(dx, dy) < 0.1 * shot.height() ? 0 : (dx > 0 ? 1 : 2);
      found[m][0] += x + 0.5, found[m][1] += y + 0.5, found[m][2] += 1;
    }
  for (auto& f : found) {
    ASSERT_GT(f[2], 4) << "a marker is not on the 3D view";
    f[0] /= f[2], f[1] /= f[2];
  }
  EXPECT_NEAR(found[0][0], midX, 0.02 * shot.width()) << "the volume's centre is not at the view's centre";
  EXPECT_NEAR(found[0][1], midY, 0.02 * shot.height());
  for (std::size_t m = 1; m < 3; ++m) {
    const double sx = (found[m][0] - found[0][0]) / (physical[m][0] - physical[0][0]);   // screen px per mm of x
    const double sz = -(found[m][1] - found[0][1]) / (physical[m][2] - physical[0][2]);  // per mm of z, y down
    std::cout << "3D marker " << m << ": " << sx << " px/mm along x, " << sz << " px/mm along z\n";
    EXPECT_GT(sx, 0) << "patient's left is not on the screen's right";
    EXPECT_GT(sz, 0) << "the head is not up";
    EXPECT_NEAR(sx, sz, 0.1 * std::abs(sx)) << "x and z are not projected alike";
  }
}

TEST(VolumeViewerGui, AMarkedVoxelLandsWhereTheGeometryPredictsInEveryPlane) {
  // The real CT re-stamped with awkward geometry: anisotropic spacing, an origin far from
  // zero, voxel axes permuted and flipped (i runs posterior, j runs right, k runs inferior),
  // and a small bright cube at a voxel away from every centre line.
  auto volume = demoCt();
  ASSERT_EQ(volume->pixelType(), core::PixelType::Int16);
  volume->spacing = {0.8, 1.4, 2.0};
  volume->origin = {35.5, -120.25, 410.0};
  volume->direction = {0, -1, 0,  //
                       1, 0,  0,  //
                       0, 0,  -1};
  const core::Vec3 marker{40, 90, 60};
  const double top = volume->valueRange()[1];
  auto* voxels = reinterpret_cast<std::int16_t*>(volume->data());
  for (int dk = -1; dk <= 1; ++dk)
    for (int dj = -1; dj <= 1; ++dj)
      for (int di = -1; di <= 1; ++di) {
        const std::size_t at =
            (static_cast<std::size_t>(marker[2] + dk) * volume->size()[1] + (marker[1] + dj)) * volume->size()[0] +
            (marker[0] + di);
        voxels[at] = static_cast<std::int16_t>(top + 1000);
      }
  viewers::VolumeViewer viewer;
  ASSERT_TRUE(viewer.setVolume(volume).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  viewer.state().setCrosshair(volume->indexToPhysical(marker));
  viewer.state().setWindow({top + 500, 200});  // the anatomy black, the marker white
  viewer.refresh();
  processEvents();
  save(viewer.grab().toImage(), "volume-viewer-marker-awkward-geometry.png");
  for (Plane plane : viewers::kPlanes) {
    const QImage shot = viewer.planeView(plane)->grabFramebuffer();
    const auto predicted = viewer.state().viewPixelOfIndex(plane, marker);
    const auto found = brightCentroid(shot, 128);
    const auto& grid = viewer.state().grid(plane);
    const double pixel = viewer.state().view(plane).viewScale() * std::max(grid.su, grid.sv);
    std::cout << viewers::toString(plane) << ": predicted (" << predicted[0] << ", " << predicted[1] << "), found ("
              << found[0] << ", " << found[1] << ") from " << found[2] << " pixels; one voxel = " << pixel << " px\n";
    ASSERT_GT(found[2], 0) << viewers::toString(plane) << ": marker not visible";
    EXPECT_NEAR(found[0], predicted[0], 0.5 * pixel + 1.0) << viewers::toString(plane);
    EXPECT_NEAR(found[1], predicted[1], 0.5 * pixel + 1.0) << viewers::toString(plane);
  }
  // With the ordinary window the anatomy of the re-stamped volume is still where the state says.
  viewer.state().setWindow({1000, 2000});
  viewer.refresh();
  processEvents();
  for (Plane plane : viewers::kPlanes) {
    const QImage shot = viewer.planeView(plane)->grabFramebuffer();
    EXPECT_GT(planeCorrelation(shot, viewer.state(), plane, *volume, viewer.storedWindow()), 0.98)
        << viewers::toString(plane);
  }
}

TEST(VolumeViewerGui, ClickScrollAndDragDriveTheLinkedPlanes) {
  viewers::VolumeViewer viewer;
  auto volume = demoCt();
  ASSERT_TRUE(viewer.setVolume(volume).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  auto& state = viewer.state();

  // A click in the axial plane moves the crosshair there; coronal and sagittal follow.
  auto* axial = viewer.planeView(Plane::Axial);
  const QPointF click(axial->width() * 0.35, axial->height() * 0.6);
  const auto expectedPixel = state.view(Plane::Axial).viewToImage(click.x(), click.y());
  const core::Vec3 expected = state.indexAtPixel(Plane::Axial, expectedPixel[0], expectedPixel[1]);
  sendMouse(axial, QEvent::MouseButtonPress, click, Qt::LeftButton, Qt::LeftButton);
  sendMouse(axial, QEvent::MouseButtonRelease, click, Qt::LeftButton, Qt::NoButton);
  EXPECT_EQ(state.sliceIndex(Plane::Coronal), std::lround(expected[1]));
  EXPECT_EQ(state.sliceIndex(Plane::Sagittal), std::lround(expected[0]));
  // Hovering reports the voxel under the pointer (for the status bar).
  QString hovered;
  QObject::connect(&viewer, &viewers::VolumeViewer::voxelHovered, [&hovered](const QString& text) { hovered = text; });
  sendMouse(axial, QEvent::MouseMove, click, Qt::NoButton, Qt::NoButton);
  const QString voxelText = QStringLiteral("voxel (%1, %2, %3)")
                                .arg(std::lround(expected[0]))
                                .arg(std::lround(expected[1]))
                                .arg(std::lround(expected[2]));
  EXPECT_TRUE(hovered.contains(voxelText)) << hovered.toStdString() << " lacks " << voxelText.toStdString();
  processEvents();
  for (Plane plane : {Plane::Coronal, Plane::Sagittal}) {
    const QImage shot = viewer.planeView(plane)->grabFramebuffer();
    EXPECT_GT(planeCorrelation(shot, state, plane, *volume, viewer.storedWindow()), 0.98)
        << viewers::toString(plane) << " did not follow the click";
  }

  // Wheel and PageUp scroll one slice towards the normal (superior for axial, identity direction).
  const int axialBefore = state.sliceIndex(Plane::Axial);
  QWheelEvent wheel(click, axial->mapToGlobal(click), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
  QApplication::sendEvent(axial, &wheel);
  EXPECT_EQ(state.sliceIndex(Plane::Axial), axialBefore + 1);
  QKeyEvent pageUp(QEvent::KeyPress, Qt::Key_PageUp, Qt::NoModifier);
  QApplication::sendEvent(axial, &pageUp);
  EXPECT_EQ(state.sliceIndex(Plane::Axial), axialBefore + 2);

  // Ctrl+wheel zooms the axial plane only.
  QWheelEvent zoom(click, axial->mapToGlobal(click), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::ControlModifier,
                   Qt::NoScrollPhase, false);
  QApplication::sendEvent(axial, &zoom);
  EXPECT_NEAR(state.view(Plane::Axial).zoom(), 1.2, 1e-9);
  EXPECT_NEAR(state.view(Plane::Coronal).zoom(), 1.0, 1e-9);

  // Right-drag in the sagittal plane widens the window for all planes.
  auto* sagittal = viewer.planeView(Plane::Sagittal);
  const double widthBefore = state.window().width;
  drag(sagittal, QPointF(100, 100), QPointF(160, 100), Qt::RightButton, 1);
  EXPECT_GT(state.window().width, widthBefore);
  processEvents();
  const QImage axialShot = axial->grabFramebuffer();
  EXPECT_GT(planeCorrelation(axialShot, state, Plane::Axial, *volume, viewer.storedWindow()), 0.98)
      << "zoomed, scrolled axial plane";

  // A preset from the menu's list: the bone window.
  ASSERT_TRUE(viewer.applyWindowPreset(QStringLiteral("Bone")));
  EXPECT_DOUBLE_EQ(state.window().center, 400);
  EXPECT_DOUBLE_EQ(state.window().width, 1800);
  EXPECT_FALSE(viewer.applyWindowPreset(QStringLiteral("No such preset")));
  processEvents();
  save(viewer.grab().toImage(), "volume-viewer-bone-preset.png");
  for (Plane plane : viewers::kPlanes) {
    const double r =
        planeCorrelation(viewer.planeView(plane)->grabFramebuffer(), state, plane, *volume, viewer.storedWindow());
    std::cout << "bone window, " << viewers::toString(plane) << ": r = " << r << "\n";
    EXPECT_GT(r, 0.98) << viewers::toString(plane);
  }

  viewer.set3DPreset(viewers::Volume3DPreset::Mip);
  ASSERT_TRUE(viewer.view3D()->waitUntilReady());
  processEvents();
  const QImage mip = viewer.view3D()->grabFramebuffer();
  save(mip, "volume-viewer-3d-mip.png");
  viewer.set3DPreset(viewers::Volume3DPreset::SoftTissue);
  processEvents();
  const QImage soft = viewer.view3D()->grabFramebuffer();
  save(soft, "volume-viewer-3d-soft-tissue.png");
  EXPECT_GT(standardDeviation(mip), 10.0);
  EXPECT_GT(standardDeviation(soft), 10.0);
  EXPECT_NE(mip, soft) << "3D presets look the same";
}

TEST(VolumeViewerGui, HeatmapOverlayColourIsWhereTheMapsMaximumIs) {
  viewers::VolumeViewer viewer;
  auto volume = demoCt();
  ASSERT_TRUE(viewer.setVolume(volume).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  // A coarse map (8 mm cells) in the CT's patient space, peaking at a point away from the centre.
  const core::Vec3 peak = volume->indexToPhysical({40, 80, 100});
  auto map = core::Volume::allocate({16, 16, 32}, core::PixelType::Float32).value();
  map.spacing = {8, 8, 8};
  map.origin = {volume->origin[0] + 3.5, volume->origin[1] + 3.5, volume->origin[2] + 3.5};
  auto* cells = reinterpret_cast<float*>(map.data());
  for (int k = 0; k < 32; ++k)
    for (int j = 0; j < 16; ++j)
      for (int i = 0; i < 16; ++i) {
        const core::Vec3 p = map.indexToPhysical({double(i), double(j), double(k)});
        const double d2 = std::pow(p[0] - peak[0], 2) + std::pow(p[1] - peak[1], 2) + std::pow(p[2] - peak[2], 2);
        cells[(k * 16 + j) * 16 + i] = static_cast<float>(std::exp(-d2 / (2 * 14.0 * 14.0)));
      }
  ASSERT_TRUE(viewer.setHeatmap(map).ok());
  viewer.heatmap().setColorMap(core::ColorMap::Viridis);  // yellow at the top, monotonic
  viewer.heatmap().setOpacity(0.7);
  viewer.heatmap().setThreshold(0.3);
  viewer.state().setCrosshair(peak);
  viewer.refresh();
  processEvents();
  save(viewer.grab().toImage(), "volume-viewer-heatmap.png");
  for (Plane plane : viewers::kPlanes) {
    const QImage shot = viewer.planeView(plane)->grabFramebuffer();
    // The most yellow screen pixels ((r + g) / 2 - b) gather where the peak lands.
    double best = -1e9;
    for (int y = 0; y < shot.height(); ++y)
      for (int x = 0; x < shot.width(); ++x) {
        const QRgb c = shot.pixel(x, y);
        best = std::max(best, (qRed(c) + qGreen(c)) / 2.0 - qBlue(c));
      }
    double sx = 0, sy = 0, n = 0;
    for (int y = 0; y < shot.height(); ++y)
      for (int x = 0; x < shot.width(); ++x) {
        const QRgb c = shot.pixel(x, y);
        if ((qRed(c) + qGreen(c)) / 2.0 - qBlue(c) >= best - 10) {
          sx += x + 0.5;
          sy += y + 0.5;
          n += 1;
        }
      }
    const auto pixel = viewer.state().grid(plane).pixelOf(peak);
    const auto predicted = viewer.state().view(plane).imageToView(pixel[0], pixel[1]);
    const double mm = viewer.state().view(plane).viewScale();  // view pixels per mm
    std::cout << viewers::toString(plane) << ": yellowest at (" << sx / n << ", " << sy / n << "), peak at ("
              << predicted[0] << ", " << predicted[1] << "), " << mm << " px/mm\n";
    EXPECT_GT(best, 80) << "no yellow on the " << viewers::toString(plane) << " plane";
    EXPECT_NEAR(sx / n, predicted[0], 2 * mm + 2) << viewers::toString(plane);
    EXPECT_NEAR(sy / n, predicted[1], 2 * mm + 2) << viewers::toString(plane);
    // Below the threshold the plane is untouched grey: a corner is no colour.
    const QRgb corner = shot.pixel(shot.width() / 10, shot.height() / 10);
    EXPECT_LE(std::abs(qRed(corner) - qBlue(corner)), 3) << viewers::toString(plane);
  }

  // A map made for another volume (500 mm away) is refused with a message; the old one stays.
  map.origin[2] += 500;
  const auto refused = viewer.setHeatmap(map);
  ASSERT_FALSE(refused.ok());
  EXPECT_FALSE(refused.error().message.empty());
  std::cout << "refused: " << refused.error().message << "\n";
  EXPECT_NEAR(viewer.heatmap().map().origin[2], volume->origin[2] + 3.5, 1e-9);
}

TEST(VolumeViewerGui, ALargeVolumesPlanesDrawFirstAndIts3DViewFromAnAveragedCopyUnderSoftwareGl) {
  // Issue 17: the planes' first frame must not wait for the 3D view's (texture upload and a
  // full ray cast: seconds under software GL), and under software GL, where the 3D texture is
  // a copy in the process's memory, a volume over the budget is drawn from a smaller copy.
  // The demo CT doubled in-plane and stretched to 300 slices: 256x256x300, 37.5 MiB.
  auto ct = demoCt();
  ASSERT_TRUE(ct);
  const auto& n = ct->size();
  auto big = core::Volume::allocate({2 * n[0], 2 * n[1], 300}, core::PixelType::Int16).value();
  const auto* src = reinterpret_cast<const std::int16_t*>(ct->data());
  auto* dst = reinterpret_cast<std::int16_t*>(big.data());
  for (int k = 0; k < 300; ++k)
    for (int j = 0; j < 2 * n[1]; ++j)
      for (int i = 0; i < 2 * n[0]; ++i)
        dst[(static_cast<std::size_t>(k) * 2 * n[1] + j) * 2 * n[0] + i] =
            src[(static_cast<std::size_t>(k % n[2]) * n[1] + j / 2) * n[0] + i / 2];
  big.spacing = {ct->spacing[0] / 2, ct->spacing[1] / 2, ct->spacing[2]};
  big.modality = ct->modality;
  ASSERT_GT(big.voxelCount(), viewers::Volume3DView::kSoftwareGlVoxels);

  viewers::VolumeViewer viewer;
  if (!viewer.view3D()->softwareRenderer()) GTEST_SKIP() << "hardware GL: the volume is drawn whole";
  // Each plane's first frame and the 3D view's first frame with the volume, in order.
  std::vector<std::string> order;
  for (Plane plane : viewers::kPlanes)
    QObject::connect(viewer.planeView(plane), &viewers::VtkRenderWidget::frameRendered, [&, plane] {
      if (std::find(order.begin(), order.end(), viewers::toString(plane)) == order.end())
        order.push_back(viewers::toString(plane));
    });
  QObject::connect(viewer.view3D(), &viewers::VtkRenderWidget::frameRendered, [&] {
    if (viewer.view3D()->isReady() && std::find(order.begin(), order.end(), "3D") == order.end()) order.push_back("3D");
  });
  ASSERT_TRUE(viewer.setVolume(std::make_shared<core::Volume>(std::move(big))).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  ASSERT_TRUE(viewer.view3D()->waitUntilReady());
  for (int i = 0; i < 20 && std::find(order.begin(), order.end(), "3D") == order.end(); ++i) processEvents();
  ASSERT_EQ(order.size(), 4u) << "not every view drew the volume";
  EXPECT_EQ(order.back(), "3D") << "the 3D view drew before a plane";
  // Merged along the finest axis in mm first: x (0.5 mm) -> 128x256x300, one byte a voxel, 9.4 MiB.
  EXPECT_EQ(viewer.view3D()->drawnFactors(), (std::array<int, 3>{2, 1, 1}));
  const QImage shot = viewer.view3D()->grabFramebuffer();
  save(shot, "volume-viewer-3d-large-averaged.png");
  EXPECT_GT(standardDeviation(shot), 10.0) << "3D view is blank";
}
