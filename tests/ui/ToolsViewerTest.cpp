// The 2D tools through real mouse and key events on the main window under Xvfb, on the real
// CT slice (NEMA WG04, 0.661468 mm pixels, HU): distance in mm, an ROI in HU, a polygon
// label drawn, edited and deleted, the probe, and a screenshot with everything on it.

#include <gtest/gtest.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QWindow>

#include <cmath>
#include <filesystem>
#include <iostream>

#include "MouseInput.hpp"
#include "VolumeTestSupport.hpp"
#include "meridian/core/AnnotationsGeoJson.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kOut = MERIDIAN_TEST_OUTPUT;

class ToolsViewer : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testsupport::showExposed(window, 1200, 800)) << "window never exposed: is the X server up?";
    ASSERT_TRUE(window.open(kDemo / "ct-slice.dcm").ok());
    for (int i = 0; i < 10; ++i) QApplication::processEvents();
    viewer = window.viewer();
    QObject::connect(viewer, &viewers::ImageViewer2D::statusMessage, [this](const QString& m) { messages << m; });
  }

  // View position of image pixel coordinates (x, y).
  QPointF at(double x, double y) const {
    const auto v = viewer->state().imageToView(x, y);
    return {v[0], v[1]};
  }
  void mouse(QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons buttons) {
    testsupport::sendMouse(viewer, type, pos, button, buttons);
  }
  void drag(QPointF from, QPointF to) { testsupport::drag(viewer, from, to); }
  void click(QPointF p) { testsupport::click(viewer, p); }
  void key(int k) { testsupport::pressKey(viewer, k); }

  ui::MainWindow window;
  viewers::ImageViewer2D* viewer = nullptr;
  QStringList messages;
};

TEST_F(ToolsViewer, DistanceIsInMillimetresAndTheRoiInHounsfieldUnits) {
  viewer->setTool(viewers::Tool2D::Distance);
  drag(at(10, 64), at(110, 64));
  ASSERT_EQ(viewer->tools().measurements().size(), 1u);
  const auto& d = viewer->tools().measurements()[0].points;
  EXPECT_NEAR(d[0][0], 10, 0.2);
  EXPECT_NEAR(d[1][0], 110, 0.2);
  // 100 pixels of 0.661468 mm, give or take the mouse's whole-pixel positions.
  const double mm = std::hypot(d[1][0] - d[0][0], d[1][1] - d[0][1]) * 0.661468;
  EXPECT_NEAR(mm, 66.1468, 0.2);
  ASSERT_FALSE(messages.isEmpty());
  EXPECT_TRUE(messages.back().endsWith(QStringLiteral(" mm"))) << messages.back().toStdString();
  EXPECT_NEAR(messages.back().chopped(3).toDouble(), mm, 0.006);

  // The same square pydicom measured (rows and columns 54..74): 441 pixels, mean 390.6 HU.
  // (The unit is set here: a single 2D DICOM file reaches the window without its modality,
  // Image2D has no field for it, so MainWindow labels HU only when the summary says CT.)
  viewer->setValueUnit(QStringLiteral("HU"));
  viewer->setTool(viewers::Tool2D::RectangleRoi);
  drag(at(53.6, 53.6), at(74.4, 74.4));
  ASSERT_EQ(viewer->tools().measurements().size(), 2u);
  const std::string roi = messages.back().toStdString();
  EXPECT_NE(roi.find("mean 390.6 ± 305.6 HU"), std::string::npos) << roi;
  EXPECT_NE(roi.find("min -97.00, max 1167"), std::string::npos) << roi;
  EXPECT_NE(roi.find("n = 441"), std::string::npos) << roi;

  viewer->setTool(viewers::Tool2D::EllipseRoi);
  drag(at(20, 20), at(40, 30));
  ASSERT_EQ(viewer->tools().measurements().size(), 3u);
  EXPECT_NE(messages.back().indexOf(QStringLiteral("HU")), -1);

  viewer->setTool(viewers::Tool2D::Angle);
  drag(at(100, 20), at(80, 20));  // first arm: (100, 20) -> vertex (80, 20)
  mouse(QEvent::MouseMove, at(80, 40), Qt::NoButton, Qt::NoButton);
  click(at(80, 40));
  ASSERT_EQ(viewer->tools().measurements().size(), 4u);
  EXPECT_EQ(messages.back(), QStringLiteral("90.0°"));

  for (int i = 0; i < 5; ++i) QApplication::processEvents();
  fs::create_directories(kOut);
  const QImage shot = window.grab().toImage();
  ASSERT_TRUE(shot.save(QString::fromStdString((kOut / "tools-ct-measurements.png").string())));
  // The distance line, half-way along, is drawn in the measurement yellow (255, 230, 0).
  const QImage view = viewer->renderView();
  const QPointF mid = at(60, 64);
  double best = 1e9;
  for (int dy = -2; dy <= 2; ++dy) {
    const QRgb c = view.pixel(static_cast<int>(mid.x()), static_cast<int>(mid.y()) + dy);
    best = std::min(best, std::hypot(qRed(c) - 255.0, qGreen(c) - 230.0, qBlue(c) - 0.0));
  }
  EXPECT_LT(best, 60);

  // Delete (nothing selected) removes the newest measurement.
  viewer->setFocus();
  key(Qt::Key_Delete);
  EXPECT_EQ(viewer->tools().measurements().size(), 3u);
}

TEST_F(ToolsViewer, APolygonLabelIsDrawnEditedSavedAndDeleted) {
  viewer->setLabelClass(QStringLiteral("Lesion"));
  viewer->setTool(viewers::Tool2D::LabelPolygon);
  click(at(30, 30));
  click(at(90, 30));
  click(at(60, 90));
  QMouseEvent dbl(QEvent::MouseButtonDblClick, at(60, 90), viewer->mapToGlobal(at(60, 90)), Qt::LeftButton,
                  Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(viewer, &dbl);
  mouse(QEvent::MouseButtonRelease, at(60, 90), Qt::LeftButton, Qt::NoButton);
  ASSERT_EQ(viewer->labels().annotations().annotations.size(), 1u);
  const core::Annotation polygon = viewer->labels().annotations().annotations[0];
  ASSERT_EQ(polygon.points.size(), 3u) << "double-click must not add a fourth vertex";
  EXPECT_EQ(polygon.className, "Lesion");
  EXPECT_NEAR(polygon.points[1][0], 90, 0.2);

  // Edit: drag the third vertex from (60, 90) to (60, 110).
  viewer->setTool(viewers::Tool2D::EditLabels);
  drag(at(60, 90), at(60, 110));
  const auto* moved = viewer->labels().find(polygon.id);
  ASSERT_TRUE(moved);
  EXPECT_NEAR(moved->points[2][1], 110, 0.2);
  EXPECT_NEAR(moved->points[0][1], 30, 0.2);  // the others stay

  // What File ▸ Save GeoJSON writes, QuPath's convention: loads back equal.
  const fs::path file = kOut / "tools-ct-polygon.geojson";
  fs::create_directories(kOut);
  ASSERT_TRUE(core::saveGeoJson(viewer->labels().annotations(), file).ok());
  auto loaded = core::loadGeoJson(file);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded.value().annotations.size(), 1u);
  EXPECT_EQ(loaded.value().annotations[0].points, moved->points);
  EXPECT_EQ(loaded.value().annotations[0].className, "Lesion");

  for (int i = 0; i < 5; ++i) QApplication::processEvents();
  ASSERT_TRUE(window.grab().save(QString::fromStdString((kOut / "tools-ct-polygon.png").string())));

  // Select it by clicking inside, then Delete.
  click(at(60, 50));
  EXPECT_EQ(viewer->labels().selected(), polygon.id);
  viewer->setFocus();
  key(Qt::Key_Delete);
  EXPECT_TRUE(viewer->labels().annotations().annotations.empty());
}

TEST_F(ToolsViewer, TheProbeReadsTheValueUnderTheCursor) {
  viewer->setTool(viewers::Tool2D::Probe);
  QString seen;
  int sx = -1, sy = -1;
  QObject::connect(viewer, &viewers::ImageViewer2D::pixelHovered,
                   [&](int x, int y, const QString& v) { sx = x, sy = y, seen = v; });
  mouse(QEvent::MouseMove, at(64, 40), Qt::NoButton, Qt::NoButton);
  EXPECT_EQ(sx, 64);
  EXPECT_EQ(sy, 40);
  EXPECT_EQ(seen.toDouble(), viewer->image().valueAt(64, 40));
  for (int i = 0; i < 5; ++i) QApplication::processEvents();
  ASSERT_TRUE(window.grab().save(QString::fromStdString((kOut / "tools-ct-probe.png").string())));
}

}  // namespace
