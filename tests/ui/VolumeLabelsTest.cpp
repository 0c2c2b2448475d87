// Label shapes on the volume viewer's planes, driven by real mouse and key events under
// Xvfb on the demo CT: a rectangle on the axial plane and polygons on the coronal plane
// stored in plane pixel coordinates where the mouse was, shown in their class colour on
// their voxel slice only, edited (vertex moved, shape deleted), and taken through a GeoJSON
// file onto a fresh viewer with plane and slice (volume-labels-two-planes.png).

#include <gtest/gtest.h>

#include <QApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "VolumeTestSupport.hpp"
#include "meridian/core/AnnotationsGeoJson.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/viewers/MprPlaneTools.hpp"
#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/OverlayTarget.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using namespace meridian::testsupport;
using viewers::Plane;
using viewers::Point2;
using viewers::Tool2D;

namespace {

const fs::path kOut = MERIDIAN_TEST_OUTPUT;

// The pointer arrives before it clicks (rubber bands follow it).
void hoverAndDoubleClick(QWidget* target, QPointF at) {
  sendMouse(target, QEvent::MouseMove, at, Qt::NoButton, Qt::NoButton);
  doubleClick(target, at);
}

void hoverAndClick(QWidget* target, QPointF at) {
  sendMouse(target, QEvent::MouseMove, at, Qt::NoButton, Qt::NoButton);
  click(target, at);
}

void wheel(QWidget* target, QPointF at, int notches) {
  QWheelEvent event(at, target->mapToGlobal(at), QPoint(), QPoint(0, 120 * notches), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
  QApplication::sendEvent(target, &event);
}

// Screen pixels of a class colour (its outline; the 40-alpha fill is too faint to count).
int pixelsOf(const QImage& shot, std::array<std::uint8_t, 3> rgb) {
  int n = 0;
  for (int y = 0; y < shot.height(); ++y)
    for (int x = 0; x < shot.width(); ++x) {
      const QRgb c = shot.pixel(x, y);
      if (std::abs(qRed(c) - rgb[0]) < 30 && std::abs(qGreen(c) - rgb[1]) < 30 && std::abs(qBlue(c) - rgb[2]) < 30) ++n;
    }
  return n;
}

int pixelsOf(viewers::MprPlaneView* view, std::array<std::uint8_t, 3> rgb) {
  processEvents();
  return pixelsOf(view->grab().toImage(), rgb);
}

std::array<std::uint8_t, 3> colorOf(const viewers::VolumeViewer& viewer, const std::string& className) {
  const core::AnnotationSet set = viewer.annotations();
  const core::AnnotationClass* c = set.findClass(className);
  EXPECT_NE(c, nullptr) << className;
  return c ? c->color : std::array<std::uint8_t, 3>{0, 0, 0};
}

void expectAt(const Point2& stored, const Point2& expected, const std::string& what) {
  EXPECT_NEAR(stored[0], expected[0], 1e-9) << what;
  EXPECT_NEAR(stored[1], expected[1], 1e-9) << what;
}

// Shows the viewer with the demo CT and the axial plane on `axialSlice`, the coronal on `coronalSlice`.
void open(viewers::VolumeViewer& viewer, int axialSlice, int coronalSlice) {
  ASSERT_TRUE(viewer.setVolume(demoCt()).ok());
  ASSERT_TRUE(showExposed(viewer, 1400, 1000));
  viewer.state().setSliceIndex(Plane::Axial, axialSlice);
  viewer.state().setSliceIndex(Plane::Coronal, coronalSlice);
  viewer.refresh();
  processEvents();
}

}  // namespace

TEST(VolumeLabelsGui, ShapesAreDrawnEditedAndShownOnTheirSliceInTheirClassColour) {
  viewers::VolumeViewer viewer;
  open(viewer, 140, 60);
  viewers::OverlayTarget* target = &viewer;
  for (Tool2D tool : {Tool2D::LabelPoint, Tool2D::LabelRectangle, Tool2D::LabelPolygon, Tool2D::EditLabels})
    EXPECT_TRUE(target->supportsTool(tool));
  EXPECT_TRUE(target->supportsAnnotations());
  auto* axial = viewer.planeView(Plane::Axial);
  auto* coronal = viewer.planeView(Plane::Coronal);
  const auto& state = viewer.state();

  // A rectangle on the axial plane, class "Lesion": where the mouse was, in plane pixels.
  const int axialBefore = pixelsOf(axial, {230, 25, 75});
  target->setLabelClass(QStringLiteral("Les"));  // the panel sends each keystroke
  target->setLabelClass(QStringLiteral("Lesion"));
  target->setTool(Tool2D::LabelRectangle);
  const core::Vec3 crosshair = state.crosshair();
  const QPointF from(axial->width() * 0.38, axial->height() * 0.36), to(axial->width() * 0.58, axial->height() * 0.5);
  drag(axial, from, to, Qt::LeftButton, 2);
  EXPECT_EQ(state.crosshair(), crosshair) << "drawing moved the crosshair";
  const viewers::LabelLayer* axialLabels = axial->tools().labelsOn(140);
  ASSERT_NE(axialLabels, nullptr);
  ASSERT_EQ(axialLabels->annotations().annotations.size(), 1u);
  const core::Annotation rect = axialLabels->annotations().annotations.front();
  EXPECT_EQ(rect.shape, core::AnnotationShape::Rectangle);
  EXPECT_EQ(rect.className, "Lesion");
  expectAt(rect.points[0], state.view(Plane::Axial).viewToImage(from.x(), from.y()), "rectangle corner 1");
  expectAt(rect.points[1], state.view(Plane::Axial).viewToImage(to.x(), to.y()), "rectangle corner 2");
  // The first class drawn with takes the palette's first colour: "Les" gave it back.
  const auto lesion = colorOf(viewer, "Lesion");
  EXPECT_EQ(lesion, (std::array<std::uint8_t, 3>{230, 25, 75}));

  // Shown on its slice in its colour, not three slices away, and back when the plane returns.
  const QPointF middle(axial->width() / 2.0, axial->height() / 2.0);
  const int axialWith = pixelsOf(axial, lesion);
  std::cout << "lesion-coloured pixels on axial slice 140: before " << axialBefore << ", with the rectangle "
            << axialWith << "\n";
  EXPECT_GT(axialWith, axialBefore + 200) << "the rectangle is not drawn in its class colour";
  wheel(axial, middle, 3);
  ASSERT_EQ(state.sliceIndex(Plane::Axial), 143);
  EXPECT_LT(pixelsOf(axial, lesion), axialBefore + 20) << "the rectangle shows on another slice";
  EXPECT_EQ(axial->tools().labelsOn(143), nullptr);
  wheel(axial, middle, -3);
  ASSERT_EQ(state.sliceIndex(Plane::Axial), 140);
  EXPECT_NEAR(pixelsOf(axial, lesion), axialWith, 10) << "the rectangle did not come back";
  EXPECT_EQ(coronal->tools().labelCount(), 0u) << "the axial rectangle landed on another plane";

  // Polygons on the coronal plane, class "Vessel": one closed by double-click, one by Enter,
  // one dropped by Escape.
  target->setLabelClass(QStringLiteral("Vessel"));
  target->setTool(Tool2D::LabelPolygon);
  const int coronalBefore = pixelsOf(coronal, {60, 180, 75});
  const std::vector<QPointF> clicks{{coronal->width() * 0.40, coronal->height() * 0.30},
                                    {coronal->width() * 0.60, coronal->height() * 0.32},
                                    {coronal->width() * 0.62, coronal->height() * 0.55},
                                    {coronal->width() * 0.42, coronal->height() * 0.58}};
  for (std::size_t i = 0; i + 1 < clicks.size(); ++i) hoverAndClick(coronal, clicks[i]);
  hoverAndDoubleClick(coronal, clicks.back());
  const std::vector<QPointF> triangle{{coronal->width() * 0.20, coronal->height() * 0.70},
                                      {coronal->width() * 0.32, coronal->height() * 0.70},
                                      {coronal->width() * 0.26, coronal->height() * 0.82}};
  for (const QPointF& p : triangle) hoverAndClick(coronal, p);
  pressKey(coronal, Qt::Key_Return);
  hoverAndClick(coronal, QPointF(coronal->width() * 0.8, coronal->height() * 0.8));
  hoverAndClick(coronal, QPointF(coronal->width() * 0.85, coronal->height() * 0.8));
  pressKey(coronal, Qt::Key_Escape);
  const viewers::LabelLayer* coronalLabels = coronal->tools().labelsOn(60);
  ASSERT_NE(coronalLabels, nullptr);
  ASSERT_EQ(coronalLabels->annotations().annotations.size(), 2u);
  const core::Annotation polygon = coronalLabels->annotations().annotations[0];
  EXPECT_EQ(polygon.shape, core::AnnotationShape::Polygon);
  EXPECT_EQ(polygon.className, "Vessel");
  ASSERT_EQ(polygon.points.size(), clicks.size());
  for (std::size_t i = 0; i < clicks.size(); ++i)
    expectAt(polygon.points[i], state.view(Plane::Coronal).viewToImage(clicks[i].x(), clicks[i].y()), "vertex");
  EXPECT_EQ(coronalLabels->annotations().annotations[1].points.size(), 3u);
  const auto vessel = colorOf(viewer, "Vessel");
  EXPECT_NE(vessel, lesion);
  const int coronalWith = pixelsOf(coronal, vessel);
  EXPECT_GT(coronalWith, coronalBefore + 200) << "the polygons are not drawn in their class colour";
  wheel(coronal, QPointF(coronal->width() / 2.0, coronal->height() / 2.0), 3);
  EXPECT_LT(pixelsOf(coronal, vessel), coronalBefore + 20) << "the polygons show on another slice";
  wheel(coronal, QPointF(coronal->width() / 2.0, coronal->height() / 2.0), -3);
  ASSERT_EQ(state.sliceIndex(Plane::Coronal), 60);

  // EditLabels: drag the rectangle's first corner; the opposite corner stays.
  target->setTool(Tool2D::EditLabels);
  const QPointF moved(axial->width() * 0.33, axial->height() * 0.30);
  drag(axial, from, moved, Qt::LeftButton, 2);
  const core::Annotation edited = axial->tools().labelsOn(140)->annotations().annotations.front();
  const Point2 movedPixel = state.view(Plane::Axial).viewToImage(moved.x(), moved.y());
  const Point2 toPixel = state.view(Plane::Axial).viewToImage(to.x(), to.y());
  ASSERT_EQ(edited.points.size(), 2u);
  const bool firstMoved = std::abs(edited.points[0][0] - movedPixel[0]) < 1e-9;
  expectAt(edited.points[firstMoved ? 0 : 1], movedPixel, "moved corner");
  expectAt(edited.points[firstMoved ? 1 : 0], toPixel, "opposite corner");

  // Select the triangle by its body and delete it: the other polygon stays.
  hoverAndClick(coronal, (triangle[0] + triangle[1] + triangle[2]) / 3);
  pressKey(coronal, Qt::Key_Delete);
  ASSERT_EQ(coronal->tools().labelsOn(60)->annotations().annotations.size(), 1u);
  EXPECT_EQ(coronal->tools().labelsOn(60)->annotations().annotations.front().id, polygon.id);

  // A point on the sagittal plane, unclassified: on that plane's slice, where the click was.
  target->setLabelClass(QString());
  target->setTool(Tool2D::LabelPoint);
  auto* sagittal = viewer.planeView(Plane::Sagittal);
  const QPointF pointAt(sagittal->width() * 0.45, sagittal->height() * 0.4);
  hoverAndClick(sagittal, pointAt);
  const viewers::LabelLayer* sagittalLabels = sagittal->tools().labelsOn(state.sliceIndex(Plane::Sagittal));
  ASSERT_NE(sagittalLabels, nullptr);
  ASSERT_EQ(sagittalLabels->annotations().annotations.size(), 1u);
  const core::Annotation point = sagittalLabels->annotations().annotations.front();
  EXPECT_EQ(point.shape, core::AnnotationShape::Point);
  EXPECT_EQ(point.className, "");
  expectAt(point.points.front(), state.view(Plane::Sagittal).viewToImage(pointAt.x(), pointAt.y()), "point");

  // Measurements are cleared apart from shapes.
  target->clearMeasurements();
  EXPECT_EQ(viewer.annotations().annotations.size(), 3u);
}

TEST(VolumeLabelsGui, AGeoJsonFilePutsShapesBackOnTheirPlaneAndSlice) {
  viewers::VolumeViewer viewer;
  open(viewer, 140, 60);
  auto* axial = viewer.planeView(Plane::Axial);
  auto* coronal = viewer.planeView(Plane::Coronal);
  viewer.setLabelClass(QStringLiteral("Lesion"));
  viewer.setTool(Tool2D::LabelRectangle);
  // Round the vertebral body on the axial plane and along the aorta on the coronal plane.
  drag(axial, QPointF(axial->width() * 0.40, axial->height() * 0.62),
       QPointF(axial->width() * 0.56, axial->height() * 0.8), Qt::LeftButton, 2);
  viewer.setLabelClass(QStringLiteral("Aorta"));
  viewer.setTool(Tool2D::LabelPolygon);
  for (const QPointF& p : {QPointF(coronal->width() * 0.47, coronal->height() * 0.2),
                           QPointF(coronal->width() * 0.55, coronal->height() * 0.2),
                           QPointF(coronal->width() * 0.56, coronal->height() * 0.75)})
    hoverAndClick(coronal, p);
  hoverAndDoubleClick(coronal, QPointF(coronal->width() * 0.46, coronal->height() * 0.75));
  const core::AnnotationSet drawn = viewer.annotations();
  ASSERT_EQ(drawn.annotations.size(), 2u);
  EXPECT_EQ(drawn.annotations[0].plane, "axial");
  EXPECT_EQ(drawn.annotations[0].slice, 140);
  EXPECT_EQ(drawn.annotations[1].plane, "coronal");
  EXPECT_EQ(drawn.annotations[1].slice, 60);
  EXPECT_EQ(drawn.classes.size(), 2u);

  const fs::path file = fs::temp_directory_path() / "meridian-volume-labels-test.geojson";
  ASSERT_TRUE(core::saveGeoJson(drawn, file).ok());
  auto loaded = core::loadGeoJson(file);
  fs::remove(file);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;

  // A fresh viewer, on other slices: the shapes go back where they were drawn.
  viewers::VolumeViewer fresh;
  open(fresh, 100, 90);
  auto* freshAxial = fresh.planeView(Plane::Axial);
  const auto lesion = drawn.findClass("Lesion")->color;
  const int hiddenPixels = pixelsOf(freshAxial, lesion);
  core::AnnotationSet set = loaded.value();
  // A 2D image's point (no plane) and a shape on a slice the CT does not have.
  set.annotations.push_back({"", core::AnnotationShape::Point, {{50, 60}}, "", "from a 2D image", "", -1});
  set.annotations.push_back({"", core::AnnotationShape::Point, {{5, 5}}, "", "", "axial", 100000});
  QString message;
  QObject::connect(&fresh, &viewers::VolumeViewer::statusMessage, [&message](const QString& m) { message = m; });
  fresh.setAnnotations(set);
  std::cout << "setAnnotations says: " << message.toStdString() << "\n";
  EXPECT_NE(message.indexOf(QStringLiteral("1 shape(s) without a plane put on axial slice 101")), -1)
      << message.toStdString();
  EXPECT_NE(message.indexOf(QStringLiteral("1 shape(s) skipped")), -1) << message.toStdString();

  const core::AnnotationSet back = fresh.annotations();
  ASSERT_EQ(back.annotations.size(), 3u);
  for (std::size_t i = 0; i < drawn.annotations.size(); ++i) {
    const auto& a = drawn.annotations[i];
    const auto* b = &back.annotations[0];
    for (const auto& candidate : back.annotations)
      if (candidate.id == a.id) b = &candidate;
    EXPECT_EQ(b->id, a.id);
    EXPECT_EQ(b->plane, a.plane);
    EXPECT_EQ(b->slice, a.slice);
    EXPECT_EQ(b->shape, a.shape);
    EXPECT_EQ(b->className, a.className);
    ASSERT_EQ(b->points.size(), a.points.size());
    for (std::size_t k = 0; k < a.points.size(); ++k) expectAt(b->points[k], a.points[k], a.plane + " vertex");
  }
  EXPECT_EQ(fresh.planeView(Plane::Axial)->tools().labelsOn(100)->annotations().annotations.front().name,
            "from a 2D image");
  EXPECT_EQ(back.findClass("Lesion")->color, lesion);
  EXPECT_EQ(back.findClass("Aorta")->color, drawn.findClass("Aorta")->color);

  // Not on the fresh viewer's slice 100 (only the 2D point, in yellow); on slice 140 in the lesion colour.
  EXPECT_LT(pixelsOf(freshAxial, lesion), hiddenPixels + 20);
  fresh.state().setSliceIndex(Plane::Axial, 140);
  fresh.state().setSliceIndex(Plane::Coronal, 60);
  fresh.refresh();
  EXPECT_GT(pixelsOf(freshAxial, lesion), hiddenPixels + 200) << "the loaded rectangle is not on its slice";
  EXPECT_GT(pixelsOf(fresh.planeView(Plane::Coronal), drawn.findClass("Aorta")->color), 200);

  fs::create_directories(kOut);
  const fs::path shot = kOut / "volume-labels-two-planes.png";
  ASSERT_TRUE(fresh.saveScreenshot(QString::fromStdString(shot.string())));
  std::cout << "screenshot: " << shot.string() << "\n";
}
