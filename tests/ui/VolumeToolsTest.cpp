// The measuring tools on the volume viewer's planes, driven by real mouse events under
// Xvfb: a distance on an anisotropic volume in mm, ROI statistics against the voxels of the
// demo CT (NIfTI and the DICOM series), measurements that stay on their slice, the probe,
// and a screenshot of everything together (volume-tools-all-overlays.png).

#include <gtest/gtest.h>

#include <QApplication>
#include <QMouseEvent>
#include <QWheelEvent>

#include <cmath>
#include <filesystem>
#include <memory>

#include "VolumeTestSupport.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/viewers/MprPlaneTools.hpp"
#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/OverlayTarget.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using namespace meridian::testsupport;
using viewers::Plane;
using viewers::Tool2D;

namespace {

const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kOut = MERIDIAN_TEST_OUTPUT;

void wheel(QWidget* target, QPointF at, int notches) {
  QWheelEvent event(at, target->mapToGlobal(at), QPoint(), QPoint(0, 120 * notches), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
  QApplication::sendEvent(target, &event);
}

// Pixels of the measurement colour (yellow, 255/230/0) in a grab of the plane.
int yellowPixels(const QImage& shot) {
  int n = 0;
  for (int y = 0; y < shot.height(); ++y)
    for (int x = 0; x < shot.width(); ++x) {
      const QRgb c = shot.pixel(x, y);
      if (qRed(c) > 245 && qGreen(c) > 215 && qBlue(c) < 40) ++n;  // not the sagittal line (240, 210, 60)
    }
  return n;
}

// The mean of the voxel values (display values) at the plane pixel centres inside the
// rectangle with corners a and b, straight from the volume through MprGeometry.
std::pair<double, std::size_t> voxelMean(const viewers::VolumeViewState& state, Plane plane, const core::Volume& volume,
                                         viewers::Point2 a, viewers::Point2 b) {
  double sum = 0;
  std::size_t n = 0;
  for (int py = static_cast<int>(std::ceil(std::min(a[1], b[1]))); py <= std::floor(std::max(a[1], b[1])); ++py)
    for (int px = static_cast<int>(std::ceil(std::min(a[0], b[0]))); px <= std::floor(std::max(a[0], b[0])); ++px) {
      const core::Vec3 index = state.indexAtPixel(plane, px, py);
      const double v = volume.valueAt(static_cast<int>(std::lround(index[0])), static_cast<int>(std::lround(index[1])),
                                      static_cast<int>(std::lround(index[2])));
      sum += v * volume.rescaleSlope + volume.rescaleIntercept;
      ++n;
    }
  return {n ? sum / n : 0.0, n};
}

void expectRoiMatchesVoxels(viewers::VolumeViewer& viewer, const core::Volume& volume, Plane plane, int slice,
                            QPointF from, QPointF to, const std::string& what) {
  auto* view = viewer.planeView(plane);
  viewer.state().setSliceIndex(plane, slice);
  viewer.refresh();
  viewer.setTool(Tool2D::RectangleRoi);
  drag(view, from, to, Qt::LeftButton, 2);
  const auto measured = view->tools().measurementsOn(slice);
  ASSERT_EQ(measured.size(), 1u) << what;
  const auto& roi = measured.front();
  // The ROI's corners are where the mouse was, in plane pixels.
  const auto a = viewer.state().view(plane).viewToImage(from.x(), from.y());
  EXPECT_NEAR(roi.points[0][0], a[0], 1e-9);
  EXPECT_NEAR(roi.points[0][1], a[1], 1e-9);
  const viewers::ValueRescale rescale{volume.rescaleSlope, volume.rescaleIntercept,
                                      volume.modality == "CT" ? "HU" : ""};
  const auto stats = viewers::planeRoiStatistics(roi, view->reslicedPlane(), rescale);
  ASSERT_TRUE(stats.ok()) << what;
  const auto [mean, count] = voxelMean(viewer.state(), plane, volume, roi.points[0], roi.points[1]);
  std::cout << what << ": ROI mean " << stats.value().mean << " over " << stats.value().pixels << " pixels, voxels "
            << mean << " over " << count << "; reads \"" << view->measurementText(roi) << "\"\n";
  EXPECT_EQ(stats.value().pixels, count) << what;
  EXPECT_NEAR(stats.value().mean, mean, 1e-6 * std::max(1.0, std::abs(mean))) << what;
  EXPECT_NE(view->measurementText(roi).find("mean"), std::string::npos);
}

}  // namespace

TEST(VolumeToolsGui, ADistanceDrawnOnAnAnisotropicVolumeReadsMillimetres) {
  // 0.6 x 1.3 x 2.5 mm voxels, the i axis flipped (running to the patient's right): a
  // distance on screen is not a distance in voxels.
  auto volume = std::make_shared<core::Volume>(core::Volume::allocate({90, 60, 24}, core::PixelType::Int16).value());
  volume->spacing = {0.6, 1.3, 2.5};
  volume->origin = {20.0, -40.0, 100.0};
  volume->direction = {-1, 0, 0, 0, 1, 0, 0, 0, 1};
  auto* v = reinterpret_cast<std::int16_t*>(volume->data());
  for (std::size_t i = 0; i < volume->voxelCount(); ++i) v[i] = static_cast<std::int16_t>((i * 7919) % 400);
  viewers::VolumeViewer viewer;
  ASSERT_TRUE(viewer.setVolume(volume).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  viewers::OverlayTarget* target = &viewer;
  for (Tool2D tool :
       {Tool2D::Navigate, Tool2D::Probe, Tool2D::Distance, Tool2D::Angle, Tool2D::RectangleRoi, Tool2D::EllipseRoi})
    EXPECT_TRUE(target->supportsTool(tool));
  // Label shapes on the planes: VolumeLabelsTest.cpp.

  target->setTool(Tool2D::Distance);
  EXPECT_EQ(target->tool(), Tool2D::Distance);
  auto* axial = viewer.planeView(Plane::Axial);
  const core::Vec3 crosshairBefore = viewer.state().crosshair();
  const QPointF from(axial->width() * 0.3, axial->height() * 0.35), to(axial->width() * 0.62, axial->height() * 0.7);
  QString message;
  QObject::connect(&viewer, &viewers::VolumeViewer::statusMessage, [&message](const QString& m) { message = m; });
  drag(axial, from, to, Qt::LeftButton, 2);
  EXPECT_EQ(viewer.state().crosshair(), crosshairBefore) << "the tool's drag moved the crosshair";
  const int slice = viewer.state().sliceIndex(Plane::Axial);
  const auto measured = axial->tools().measurementsOn(slice);
  ASSERT_EQ(measured.size(), 1u);
  // The same two mouse positions taken to patient space through MprGeometry.
  const auto& state = viewer.state();
  const auto pa = state.view(Plane::Axial).viewToImage(from.x(), from.y());
  const auto pb = state.view(Plane::Axial).viewToImage(to.x(), to.y());
  const core::Vec3 a = state.grid(Plane::Axial).physical(pa[0], pa[1], state.depth(Plane::Axial));
  const core::Vec3 b = state.grid(Plane::Axial).physical(pb[0], pb[1], state.depth(Plane::Axial));
  const double mm = std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  const std::string text = axial->measurementText(measured.front());
  std::cout << "distance: expected " << mm << " mm, reads \"" << text << "\", status bar \"" << message.toStdString()
            << "\"\n";
  ASSERT_NE(text.find(" mm"), std::string::npos) << text;
  EXPECT_NEAR(std::stod(text), mm, 0.006) << text;
  EXPECT_EQ(message.toStdString(), text);
  // In voxels the same drag is far from that: the spacing matters.
  const double voxels = std::hypot(pa[0] - pb[0], pa[1] - pb[1]);
  EXPECT_GT(std::abs(voxels - mm), 5.0);

  // An angle: first arm dragged, second arm's end clicked.
  target->setTool(Tool2D::Angle);
  const QPointF vertex(axial->width() * 0.5, axial->height() * 0.5), end1(axial->width() * 0.7, axial->height() * 0.5),
      end2(axial->width() * 0.5, axial->height() * 0.3);
  drag(axial, end1, vertex, Qt::LeftButton, 2);
  sendMouse(axial, QEvent::MouseMove, end2, Qt::NoButton, Qt::NoButton);
  sendMouse(axial, QEvent::MouseButtonPress, end2, Qt::LeftButton, Qt::LeftButton);
  sendMouse(axial, QEvent::MouseButtonRelease, end2, Qt::LeftButton, Qt::NoButton);
  const auto withAngle = axial->tools().measurementsOn(slice);
  ASSERT_EQ(withAngle.size(), 2u);
  EXPECT_EQ(withAngle.back().kind, viewers::Measurement::Kind::Angle);
  EXPECT_NEAR(std::stod(axial->measurementText(withAngle.back())), 90.0, 0.15);  // screen axes are patient axes

  target->clearMeasurements();
  EXPECT_EQ(axial->tools().count(), 0u);
}

TEST(VolumeToolsGui, RoiStatisticsAreThoseOfTheVoxelsUnderTheRoi) {
  viewers::VolumeViewer viewer;
  auto volume = demoCt();
  ASSERT_TRUE(viewer.setVolume(volume).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  auto* axial = viewer.planeView(Plane::Axial);
  expectRoiMatchesVoxels(viewer, *volume, Plane::Axial, 140, QPointF(axial->width() * 0.35, axial->height() * 0.4),
                         QPointF(axial->width() * 0.55, axial->height() * 0.52), "NIfTI axial");
  auto* coronal = viewer.planeView(Plane::Coronal);
  expectRoiMatchesVoxels(viewer, *volume, Plane::Coronal, 60, QPointF(coronal->width() * 0.4, coronal->height() * 0.3),
                         QPointF(coronal->width() * 0.6, coronal->height() * 0.6), "NIfTI coronal");
}

TEST(VolumeToolsGui, RoiOnTheDicomSeriesReadsHounsfieldUnits) {
  ui::MainWindow window;
  ASSERT_TRUE(window.open(kDemo / "ct-abdomen-stent-dicom").ok());
  auto* viewer = window.volumeViewer();
  ASSERT_TRUE(viewer->hasVolume());
  ASSERT_TRUE(showExposed(window, 1600, 1000));
  const core::Volume& volume = *viewer->volume();
  EXPECT_EQ(volume.modality, "CT");
  auto* axial = viewer->planeView(Plane::Axial);
  expectRoiMatchesVoxels(*viewer, volume, Plane::Axial, 120, QPointF(axial->width() * 0.4, axial->height() * 0.45),
                         QPointF(axial->width() * 0.6, axial->height() * 0.6), "DICOM axial");
  const auto roi = axial->tools().measurementsOn(120).front();
  EXPECT_NE(axial->measurementText(roi).find("HU"), std::string::npos) << axial->measurementText(roi);
}

TEST(VolumeToolsGui, AMeasurementStaysOnItsSliceAndTheProbeReadsTheVoxel) {
  viewers::VolumeViewer viewer;
  auto volume = demoCt();
  ASSERT_TRUE(viewer.setVolume(volume).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  auto* axial = viewer.planeView(Plane::Axial);
  const int slice = viewer.state().sliceIndex(Plane::Axial);
  const int yellowBefore = yellowPixels(axial->grab().toImage());
  viewer.setTool(Tool2D::Distance);
  drag(axial, QPointF(axial->width() * 0.25, axial->height() * 0.3),
       QPointF(axial->width() * 0.7, axial->height() * 0.6), Qt::LeftButton, 2);
  processEvents();
  const int yellowWith = yellowPixels(axial->grab().toImage());
  std::cout << "yellow pixels: before " << yellowBefore << ", with the distance " << yellowWith << "\n";
  EXPECT_GT(yellowWith, yellowBefore + 100) << "the distance is not drawn";

  const QPointF middle(axial->width() / 2.0, axial->height() / 2.0);
  wheel(axial, middle, 3);
  processEvents();
  EXPECT_EQ(viewer.state().sliceIndex(Plane::Axial), slice + 3);
  EXPECT_TRUE(axial->tools().measurementsOn(slice + 3).empty());
  EXPECT_LT(yellowPixels(axial->grab().toImage()), yellowBefore + 20) << "the distance shows on another slice";
  wheel(axial, middle, -3);
  processEvents();
  EXPECT_EQ(viewer.state().sliceIndex(Plane::Axial), slice);
  EXPECT_EQ(axial->tools().measurementsOn(slice).size(), 1u);
  EXPECT_NEAR(yellowPixels(axial->grab().toImage()), yellowWith, 10) << "the distance did not come back";
  // Zoomed about the crosshair (whose screen position stays put), the line follows the zoom.
  const auto crosshair =
      viewer.state()
          .view(Plane::Axial)
          .imageToView(viewer.state().crosshairPixel(Plane::Axial)[0], viewer.state().crosshairPixel(Plane::Axial)[1]);
  QWheelEvent zoom(QPointF(crosshair[0], crosshair[1]), axial->mapToGlobal(QPointF(crosshair[0], crosshair[1])),
                   QPoint(), QPoint(0, 240), Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(axial, &zoom);
  processEvents();
  const auto line = axial->tools().measurementsOn(slice).front().points;
  const QPointF mid = axial->viewPointOf({(line[0][0] * 3 + line[1][0]) / 4, (line[0][1] * 3 + line[1][1]) / 4});
  const QImage zoomed = axial->grab().toImage();
  int near = 0;
  for (int dy = -2; dy <= 2; ++dy)
    for (int dx = -2; dx <= 2; ++dx) {
      const QRgb c = zoomed.pixel(static_cast<int>(mid.x()) + dx, static_cast<int>(mid.y()) + dy);
      if (qRed(c) > 245 && qGreen(c) > 215 && qBlue(c) < 40) ++near;
    }
  EXPECT_GT(near, 0) << "the distance did not follow the zoom";
  // Other planes have their own measurements: none here.
  EXPECT_EQ(viewer.planeView(Plane::Coronal)->tools().count(), 0u);

  // The probe: the value of the voxel under the pointer -- the densest voxel of the slice.
  viewer.setTool(Tool2D::Probe);
  std::array<int, 3> densest{0, 0, slice};
  for (int j = 0; j < volume->size()[1]; ++j)
    for (int i = 0; i < volume->size()[0]; ++i)
      if (volume->valueAt(i, j, slice) > volume->valueAt(densest[0], densest[1], slice)) densest = {i, j, slice};
  const core::Vec3 voxel{double(densest[0]), double(densest[1]), double(densest[2])};
  const auto at = viewer.state().viewPixelOfIndex(Plane::Axial, voxel);
  const auto p = viewer.state().view(Plane::Axial).viewToImage(at[0], at[1]);
  const double value = volume->valueAt(densest[0], densest[1], densest[2]);
  ASSERT_GT(value, 0);
  const QString text = axial->probeText(p[0], p[1]);
  std::cout << "probe: " << text.toStdString() << "\n";
  EXPECT_TRUE(text.startsWith(
      QStringLiteral("(%1, %2, %3)  %4").arg(densest[0]).arg(densest[1]).arg(densest[2]).arg(value, 0, 'g', 6)))
      << text.toStdString();
  const QImage withoutProbe = axial->grab().toImage();
  sendMouse(axial, QEvent::MouseMove, QPointF(at[0], at[1]), Qt::NoButton, Qt::NoButton);
  processEvents();
  EXPECT_NE(axial->grab().toImage(), withoutProbe) << "the probe wrote nothing";
  EXPECT_EQ(viewer.state().sliceIndex(Plane::Axial), slice) << "hovering with the probe scrolled";
}

TEST(VolumeToolsGui, ScreenshotShowsHeatmapColourBarLabelMapAndMeasurements) {
  viewers::VolumeViewer viewer;
  auto volume = demoCt();
  ASSERT_TRUE(viewer.setVolume(volume).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  const core::Vec3 peak = volume->indexToPhysical({45, 70, 128});
  auto map = core::Volume::allocate({32, 32, 64}, core::PixelType::Float32).value();
  map.spacing = {4, 4, 4};
  map.origin = volume->indexToPhysical({1.5, 1.5, 1.5});
  auto* cells = reinterpret_cast<float*>(map.data());
  for (int k = 0; k < 64; ++k)
    for (int j = 0; j < 32; ++j)
      for (int i = 0; i < 32; ++i) {
        const core::Vec3 q = map.indexToPhysical({double(i), double(j), double(k)});
        const double d2 = std::pow(q[0] - peak[0], 2) + std::pow(q[1] - peak[1], 2) + std::pow(q[2] - peak[2], 2);
        cells[(k * 32 + j) * 32 + i] = static_cast<float>(std::exp(-d2 / (2 * 15.0 * 15.0)));
      }
  ASSERT_TRUE(viewer.setHeatmap(map).ok());
  viewer.setHeatmapColorMap(core::ColorMap::Hot);
  viewer.setHeatmapOpacity(0.6);
  viewer.setHeatmapThreshold(0.2);
  // Label map: the CT's densest voxels (class 1) and a box (class 2).
  auto labels = core::Volume::allocate(volume->size(), core::PixelType::UInt8).value();
  labels.spacing = volume->spacing;
  labels.origin = volume->origin;
  const auto top = volume->valueRange()[1];
  const auto& n = volume->size();
  for (int k = 0; k < n[2]; ++k)
    for (int j = 0; j < n[1]; ++j)
      for (int i = 0; i < n[0]; ++i) {
        const bool inBox = i >= 70 && i < 95 && j >= 25 && j < 50 && k >= 110 && k < 150;
        labels.data()[(static_cast<std::size_t>(k) * n[1] + j) * n[0] + i] =
            inBox ? 2 : (volume->valueAt(i, j, k) > 0.6 * top ? 1 : 0);
      }
  ASSERT_TRUE(viewer.setLabelMap(std::move(labels), {"", "dense", "region"}).ok());
  auto* axial = viewer.planeView(Plane::Axial);
  viewer.setTool(Tool2D::Distance);
  // Across the aorta with its stent, and an ellipse in the vertebral body.
  drag(axial, QPointF(axial->width() * 0.47, axial->height() * 0.33),
       QPointF(axial->width() * 0.64, axial->height() * 0.36), Qt::LeftButton, 2);
  viewer.setTool(Tool2D::EllipseRoi);
  drag(axial, QPointF(axial->width() * 0.33, axial->height() * 0.75),
       QPointF(axial->width() * 0.47, axial->height() * 0.88), Qt::LeftButton, 2);
  processEvents();
  fs::create_directories(kOut);
  const fs::path file = kOut / "volume-tools-all-overlays.png";
  ASSERT_TRUE(viewer.saveScreenshot(QString::fromStdString(file.string())));
  std::cout << "screenshot: " << file.string() << "\n";
  const QImage shot(QString::fromStdString(file.string()));
  ASSERT_FALSE(shot.isNull());
  // The 2x2 grid, without the tool bar above it.
  EXPECT_LT(shot.height(), viewer.height());
  EXPECT_GE(shot.width(), viewer.width() - 4);
  EXPECT_GT(standardDeviation(shot), 10.0);
}
