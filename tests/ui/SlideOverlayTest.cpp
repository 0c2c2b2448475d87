// The slide viewer's tools and overlays in a real window under Xvfb, on the demo slide:
// label rectangles and polygons drawn, edited and deleted with the mouse and keys land at
// the level-0 positions under the mouse (at a zoomed-out and a zoomed-in view) and survive
// a GeoJSON round trip; distances read in µm/mm with the slide's mpp and in px without;
// the heatmap's colour map, opacity and threshold change what is drawn, and its colour bar
// is drawn without covering the minimap.

#include <gtest/gtest.h>

#include <QApplication>
#include <QImage>
#include <QKeyEvent>
#include <QMouseEvent>

#include <cmath>
#include <filesystem>
#include <iostream>

#include "MouseInput.hpp"
#include "SlideTestSupport.hpp"
#include "meridian/core/AnnotationsGeoJson.hpp"
#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/viewers/ColorBar.hpp"
#include "meridian/viewers/OverlayTarget.hpp"
#include "meridian/viewers/SlideViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using viewers::SlideViewer;
using viewers::Tool2D;

namespace {

const fs::path kOut = MERIDIAN_TEST_OUTPUT;

class SlideOverlay : public testing::Test {
 protected:
  void show(int width = 1600, int height = 1000) {
    viewer.resize(width, height);
    viewer.show();
    ASSERT_TRUE(test::waitUntil([&] { return viewer.isVisible() && viewer.width() == width; }, 10000));
    QObject::connect(&viewer, &SlideViewer::statusMessage, [this](const QString& m) { messages << m; });
  }
  void open(std::shared_ptr<const core::SlideSource> slide) {
    ASSERT_TRUE(slide);
    viewer.setSlide(std::move(slide));
    ASSERT_TRUE(settle());
  }
  bool settle() {
    return viewer.waitForFieldOfView() && test::waitUntil([&] { return viewer.loader().pending() == 0; });
  }
  // Labels put pixel centres on integers, SlideViewState pixel edges: the label point under
  // a view position is the level-0 point there less half a pixel (see SlideViewer.hpp).
  viewers::Point2 labelAt(QPointF v) const {
    const auto s = viewer.state().viewToSlide(v.x(), v.y());
    return {s[0] - 0.5, s[1] - 0.5};
  }
  QPointF viewOf(viewers::Point2 p) const {
    const auto v = viewer.state().slideToView(p[0] + 0.5, p[1] + 0.5);
    return {v[0], v[1]};
  }
  void mouse(QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons buttons) {
    testsupport::sendMouse(&viewer, type, pos, button, buttons);
  }
  void drag(QPointF from, QPointF to) { testsupport::drag(&viewer, from, to); }
  void click(QPointF p) { testsupport::click(&viewer, p); }
  void doubleClick(QPointF p) { testsupport::doubleClick(&viewer, p); }
  void key(int k) { testsupport::pressKey(&viewer, k); }
  QImage shot() { return viewer.grab().toImage().convertToFormat(QImage::Format_RGB32); }

  SlideViewer viewer;
  QStringList messages;
};

void expectPoint(const std::array<double, 2>& actual, const viewers::Point2& expected, const char* what) {
  EXPECT_NEAR(actual[0], expected[0], 1e-6) << what;
  EXPECT_NEAR(actual[1], expected[1], 1e-6) << what;
}

// How far a screen pixel is from an RGB colour.
double distanceTo(QRgb c, const viewers::Rgb& rgb) {
  return std::hypot(qRed(c) - rgb[0], qGreen(c) - rgb[1], qBlue(c) - rgb[2]);
}

int pixelsThatDiffer(const QImage& a, const QImage& b, const QRect& area) {
  int n = 0;
  for (int y = area.top(); y <= area.bottom(); ++y)
    for (int x = area.left(); x <= area.right(); ++x) n += a.pixel(x, y) != b.pixel(x, y);
  return n;
}

// The demo's per-tile score map: 16 x 16 cells of 256 level-0 pixels, a hot spot at cell (11, 4).
core::Volume scoreMap() {
  auto map = core::Volume::allocate({16, 16, 1}, core::PixelType::Float32).value();
  map.spacing = {256, 256, 1};
  map.origin = {127.5, 127.5, 0};
  auto* v = reinterpret_cast<float*>(map.data());
  for (int j = 0; j < 16; ++j)
    for (int i = 0; i < 16; ++i)
      v[j * 16 + i] = static_cast<float>(std::exp(-((i - 11) * (i - 11) + (j - 4) * (j - 4)) / 6.0));
  return map;
}

}  // namespace

TEST_F(SlideOverlay, IsAnOverlayTargetWithTheToolsASlideCanOffer) {
  show();
  open(test::openDemoSlide());
  viewers::OverlayTarget* target = dynamic_cast<viewers::OverlayTarget*>(&viewer);
  ASSERT_NE(target, nullptr) << "MainWindow points the dock at the viewer through this cast";
  EXPECT_TRUE(target->supportsAnnotations());
  for (Tool2D t : {Tool2D::Navigate, Tool2D::Distance, Tool2D::Angle, Tool2D::LabelPoint, Tool2D::LabelRectangle,
                   Tool2D::LabelPolygon, Tool2D::EditLabels})
    EXPECT_TRUE(target->supportsTool(t)) << static_cast<int>(t);
  for (Tool2D t : {Tool2D::Probe, Tool2D::RectangleRoi, Tool2D::EllipseRoi})
    EXPECT_FALSE(target->supportsTool(t)) << "needs pixel values on the UI thread: " << static_cast<int>(t);
  // A tool the viewer lacks is refused (Navigate), and Navigate drags still pan.
  target->setTool(Tool2D::Probe);
  EXPECT_EQ(target->tool(), Tool2D::Navigate);
}

TEST_F(SlideOverlay, LabelsDrawnWithTheMouseLandUnderTheMouseAtTwoZooms) {
  show();
  open(test::openDemoSlide());
  viewer.setLabelClass(QStringLiteral("Tumor"));
  int round = 0;
  for (const double zoom : {0.5, 4.0}) {
    SCOPED_TRACE("zoom " + std::to_string(zoom));
    viewer.setView(zoom, 1800, 2200);
    ASSERT_TRUE(settle());
    viewer.setAnnotations({});

    // A rectangle, dragged from one corner to the other.
    viewer.setTool(Tool2D::LabelRectangle);
    const QPointF a(420, 300), b(780, 620);
    const auto zoomBefore = viewer.state().zoom();
    const auto centreBefore = viewer.state().centre();
    drag(a, b);
    EXPECT_EQ(viewer.state().zoom(), zoomBefore);
    EXPECT_EQ(viewer.state().centre(), centreBefore) << "a tool drag must not pan";
    ASSERT_EQ(viewer.labels().annotations().annotations.size(), 1u);
    const core::Annotation rect = viewer.labels().annotations().annotations[0];
    EXPECT_EQ(rect.shape, core::AnnotationShape::Rectangle);
    EXPECT_EQ(rect.className, "Tumor");
    ASSERT_EQ(rect.points.size(), 2u);
    expectPoint(rect.points[0], labelAt(a), "first corner");
    expectPoint(rect.points[1], labelAt(b), "second corner");
    // Drawn where the mouse was: the outline's left edge on the press column (at zoom 4
    // half a level-0 pixel off would put it 2 screen pixels away).
    const viewers::Rgb color = viewer.labels().colorOf("Tumor");  // the class got a free palette colour
    const QImage drawn = shot();
    const int mid = static_cast<int>((a.y() + b.y()) / 2);
    for (int x : {static_cast<int>(a.x()) - 1, static_cast<int>(a.x())})
      EXPECT_LT(distanceTo(drawn.pixel(x, mid), color), 45) << "outline column " << x;
    EXPECT_GT(distanceTo(drawn.pixel(static_cast<int>(a.x()) + 4, mid), color), 45) << "inside is only tinted";

    // A polygon: three clicks, the last a double-click.
    viewer.setTool(Tool2D::LabelPolygon);
    const QPointF p0(900, 300), p1(1200, 340), p2(1050, 650);
    click(p0);
    click(p1);
    mouse(QEvent::MouseMove, p2, Qt::NoButton, Qt::NoButton);  // the rubber band follows
    ASSERT_TRUE(viewer.tools().draft().has_value());
    expectPoint(viewer.tools().draft()->points.back(), labelAt(p2), "rubber band");
    doubleClick(p2);
    ASSERT_EQ(viewer.labels().annotations().annotations.size(), 2u);
    const core::Annotation polygon = viewer.labels().annotations().annotations[1];
    EXPECT_EQ(polygon.shape, core::AnnotationShape::Polygon);
    ASSERT_EQ(polygon.points.size(), 3u) << "the double-click must not add a fourth vertex";
    expectPoint(polygon.points[0], labelAt(p0), "vertex 0");
    expectPoint(polygon.points[1], labelAt(p1), "vertex 1");
    expectPoint(polygon.points[2], labelAt(p2), "vertex 2");

    // Edit: drag vertex 1 a little way (a grab misses it by 3 screen pixels), the others stay.
    viewer.setTool(Tool2D::EditLabels);
    const QPointF moved(1260, 420);
    drag(p1 + QPointF(3, -2), moved);
    ASSERT_NE(viewer.labels().find(polygon.id), nullptr);
    const core::Annotation edited = *viewer.labels().find(polygon.id);
    expectPoint(edited.points[1], labelAt(moved), "moved vertex");
    expectPoint(edited.points[0], labelAt(p0), "vertex 0 stays");
    expectPoint(edited.points[2], labelAt(p2), "vertex 2 stays");
    EXPECT_EQ(viewer.state().centre(), centreBefore);

    // GeoJSON (QuPath's convention) and back: the same level-0 shapes, drawn at the same place.
    const fs::path file = kOut / ("slide-labels-" + std::to_string(round++) + ".geojson");
    fs::create_directories(kOut);
    ASSERT_TRUE(core::saveGeoJson(viewer.labels().annotations(), file).ok());
    auto loaded = core::loadGeoJson(file);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    const QImage before = shot();
    viewer.setAnnotations({});
    EXPECT_NE(pixelsThatDiffer(before, shot(), QRect(400, 280, 900, 400)), 0);
    viewer.setAnnotations(loaded.value());
    ASSERT_EQ(viewer.labels().annotations().annotations.size(), 2u);
    for (std::size_t k = 0; k < 2; ++k) {
      const auto& original = k == 0 ? rect : edited;
      const auto& back = viewer.labels().annotations().annotations[k];
      EXPECT_EQ(back.shape, original.shape);
      ASSERT_EQ(back.points.size(), original.points.size());
      for (std::size_t i = 0; i < back.points.size(); ++i) expectPoint(back.points[i], original.points[i], "geojson");
    }
    // The selection is not saved; otherwise the picture is the same.
    viewer.setTool(Tool2D::EditLabels);
    click(viewOf(rect.points[0]) + QPointF(40, 40));  // inside the rectangle: selects it
    EXPECT_EQ(viewer.labels().selected(), viewer.labels().annotations().annotations[0].id);

    // Delete removes the selected shape, the polygon stays.
    viewer.setFocus();
    key(Qt::Key_Delete);
    ASSERT_EQ(viewer.labels().annotations().annotations.size(), 1u);
    EXPECT_EQ(viewer.labels().annotations().annotations[0].shape, core::AnnotationShape::Polygon);
  }
  // Escape drops a polygon being drawn.
  viewer.setTool(Tool2D::LabelPolygon);
  click({300, 300});
  click({400, 300});
  key(Qt::Key_Escape);
  EXPECT_FALSE(viewer.tools().draft().has_value());
  EXPECT_EQ(viewer.labels().annotations().annotations.size(), 1u);
  // Enter closes one, like a double-click.
  click({300, 300});
  click({400, 300});
  click({350, 400});
  key(Qt::Key_Return);
  EXPECT_EQ(viewer.labels().annotations().annotations.size(), 2u);
  // Navigate: the left drag pans again.
  viewer.setTool(Tool2D::Navigate);
  const auto before = viewer.state().slideToView(2000, 2000);
  drag({600, 500}, {500, 450});
  const auto after = viewer.state().slideToView(2000, 2000);
  EXPECT_NEAR(after[0] - before[0], -100, 1e-6);
  EXPECT_NEAR(after[1] - before[1], -50, 1e-6);
}

TEST_F(SlideOverlay, DistancesReadInMicronsWithTheSlidesMppAndInPixelsWithout) {
  show();
  auto slide = std::make_shared<test::InstrumentedSlide>(test::openDemoSlide());
  slide->setMicronsPerPixel(std::array<double, 2>{0.25, 0.25});
  open(slide);
  viewer.setView(1.0, 2000, 2000);
  ASSERT_TRUE(settle());
  viewer.setTool(Tool2D::Distance);
  drag({400, 500}, {700, 900});  // 300 x 400 screen pixels at zoom 1: 500 level-0 px = 125 µm
  ASSERT_EQ(viewer.tools().measurements().size(), 1u);
  ASSERT_FALSE(messages.isEmpty());
  EXPECT_EQ(messages.back(), QString::fromUtf8("125.0 \u00b5m"));

  // Zoomed out, a long distance reads in mm: 4400 level-0 px * 0.25 µm = 1.1 mm.
  viewer.setView(viewer.state().fitZoom(), 2048, 2048);
  const auto from = viewer.state().slideToView(48.5, 2000.5), to = viewer.state().slideToView(4448.5, 2000.5);
  drag({from[0], from[1]}, {to[0], to[1]});
  ASSERT_EQ(viewer.tools().measurements().size(), 2u);
  EXPECT_EQ(messages.back(), QStringLiteral("1.10 mm"));

  // An angle: 90° whatever the unit.
  viewer.setTool(Tool2D::Angle);
  drag({900, 300}, {700, 300});
  mouse(QEvent::MouseMove, {700, 500}, Qt::NoButton, Qt::NoButton);
  click({700, 500});
  ASSERT_EQ(viewer.tools().measurements().size(), 3u);
  EXPECT_EQ(messages.back(), QString::fromUtf8("90.0\u00b0"));

  // The same slide without mpp: level-0 pixels, and the text says why.
  auto plain = std::make_shared<test::InstrumentedSlide>(test::openDemoSlide());
  open(plain);
  EXPECT_TRUE(viewer.tools().measurements().empty()) << "another slide: the measurements went with the old one";
  viewer.setView(1.0, 2000, 2000);
  viewer.setTool(Tool2D::Distance);
  drag({400, 500}, {700, 900});
  EXPECT_EQ(messages.back(), QStringLiteral("500.0 px (no mpp)"));
  viewer.setView(2.0, 2000, 2000);
  drag({400, 500}, {700, 900});
  EXPECT_EQ(messages.back(), QStringLiteral("250.0 px (no mpp)")) << "level-0 pixels, not screen pixels";
  viewer.clearMeasurements();
  EXPECT_TRUE(viewer.tools().measurements().empty());
}

TEST_F(SlideOverlay, HeatmapLookAndColourBarChangeWhatIsDrawn) {
  show();
  open(test::openDemoSlide());
  const QImage plain = shot();
  ASSERT_TRUE(viewer.setHeatmap(scoreMap(), 0.5, core::ColorMap::Jet).ok());
  const QImage jet = shot();
  const auto hotView = viewer.state().slideToView(127.5 + 256 * 11, 127.5 + 256 * 4);
  const auto coldView = viewer.state().slideToView(127.5 + 256 * 1, 127.5 + 256 * 14);
  const QPoint hot(static_cast<int>(hotView[0]), static_cast<int>(hotView[1]));
  const QPoint cold(static_cast<int>(coldView[0]), static_cast<int>(coldView[1]));
  EXPECT_NE(jet.pixel(hot), plain.pixel(hot));
  EXPECT_NE(jet.pixel(cold), plain.pixel(cold));

  // The colour bar, right edge, clear of the minimap: only that area's pixels change when
  // the map is hidden below the threshold.
  const QRect bar = viewers::colorBarArea(viewer.size());
  EXPECT_GT(pixelsThatDiffer(plain, jet, bar), bar.width() * bar.height() * 9 / 10);
  // Jet's top is dark red, its bottom dark blue.
  const QRgb top = jet.pixel(bar.center().x(), bar.top() + 3), bottom = jet.pixel(bar.center().x(), bar.bottom() - 3);
  EXPECT_GT(qRed(top), qBlue(top) + 60);
  EXPECT_GT(qBlue(bottom), qRed(bottom) + 60);

  // Another colour map changes the colours where the map is (and the bar).
  viewer.setHeatmapColorMap(core::ColorMap::Hot);
  const QImage hotMap = shot();
  EXPECT_NE(hotMap.pixel(cold), jet.pixel(cold));
  EXPECT_NE(hotMap.pixel(bar.center().x(), bar.bottom() - 3), bottom);
  // Opacity: more of the map, less of the slide.
  viewer.setHeatmapColorMap(core::ColorMap::Jet);
  viewer.setHeatmapOpacity(0.9);
  const QImage opaque = shot();
  const auto jetHot = core::colorAt(core::ColorMap::Jet, 1.0);
  auto towardsMap = [&](const QImage& img) {
    const QRgb c = img.pixel(hot);
    return std::hypot(qRed(c) - jetHot[0], qGreen(c) - jetHot[1], qBlue(c) - jetHot[2]);
  };
  EXPECT_LT(towardsMap(opaque) + 20, towardsMap(jet));
  viewer.setHeatmapOpacity(0.5);
  EXPECT_EQ(shot().pixel(hot), jet.pixel(hot)) << "the per-tile overlay cache follows the look";

  // A threshold above the maximum hides the map everywhere; the bar stays (with its tick).
  viewer.setHeatmapThreshold(2.0);
  const QImage hidden = shot();
  int changed = 0, n = 0;
  for (int y = 20; y < hidden.height() - 20; y += 13)
    for (int x = 20; x < bar.left() - 60; x += 13, ++n) changed += hidden.pixel(x, y) != plain.pixel(x, y);
  EXPECT_EQ(changed, 0) << "of " << n << " samples away from the bar";
  EXPECT_GT(pixelsThatDiffer(plain, hidden, bar), bar.width() * bar.height() * 9 / 10);
  // Hidden through the dock's checkbox: no map, no bar.
  viewer.setHeatmapThreshold(std::nullopt);
  viewer.setHeatmapVisible(false);
  EXPECT_FALSE(viewer.heatmapVisible());
  EXPECT_EQ(pixelsThatDiffer(plain, shot(), viewer.rect()), 0);
  viewer.setHeatmapVisible(true);
  EXPECT_EQ(pixelsThatDiffer(jet, shot(), viewer.rect()), 0);
}

TEST_F(SlideOverlay, HeatmapTileCacheHoldsA4kViewAndStaysWithinItsLimit) {
  // A 4K view at zoom 1 shows more than 128 tiles of the demo slide: every one of them must
  // stay rendered after a frame (a cache smaller than the view is cleared half-way through
  // every frame and re-colours each tile again and again).
  show(3840, 2160);
  open(test::openDemoSlide());
  ASSERT_TRUE(viewer.setHeatmap(scoreMap(), 0.5, core::ColorMap::Jet).ok());
  viewer.setView(1.0, 2048, 2048);
  ASSERT_TRUE(viewer.waitForFieldOfView());
  shot();
  shot();
  const int inView = viewer.state().visibleTiles(viewer.state().fittingLevel()).count();
  ASSERT_GT(inView, 128);
  EXPECT_EQ(viewer.overlayTilesCached(), static_cast<std::size_t>(inView));
  EXPECT_GE(viewer.overlayTileLimit(), static_cast<std::size_t>(inView));

  // A small view panned over the whole slide at zoom 1 meets all 256 tiles; the cache keeps
  // no more than its limit (128 here) however many were drawn.
  viewer.resize(800, 600);
  ASSERT_TRUE(test::waitUntil([&] { return viewer.width() == 800; }, 10000));
  EXPECT_EQ(viewer.overlayTileLimit(), 128u);
  for (double y = 300; y < 4096; y += 500)
    for (double x = 400; x < 4096; x += 700) {
      viewer.setView(1.0, x, y);
      ASSERT_TRUE(viewer.waitForFieldOfView());
      shot();
      EXPECT_LE(viewer.overlayTilesCached(), 128u) << "at " << x << ", " << y;
    }
}

TEST_F(SlideOverlay, ColourBarStaysClearOfTheMinimapInAShortView) {
  show(900, 420);  // the minimap (200 px) reaches y = 212; colorBarArea would start at 140
  open(test::openDemoSlide());
  ASSERT_TRUE(viewer.setHeatmap(scoreMap(), 0.5).ok());
  viewer.setHeatmapThreshold(2.0);  // only the bar differs from no map at all
  viewer.setHeatmapVisible(false);
  const QImage without = shot();
  viewer.setHeatmapVisible(true);
  const QImage with = shot();
  // The bar's column, top down: the first pixel that changes is the bar's top (its frame),
  // and just below it jet's maximum, dark red: the whole bar is in sight, under the minimap.
  const int column = viewer.width() - 14 - 8;
  int top = -1;
  for (int y = 0; y < viewer.height() && top < 0; ++y)
    if (with.pixel(column, y) != without.pixel(column, y)) top = y;
  ASSERT_GE(top, 0) << "no colour bar";
  EXPECT_GT(top, 12 + 200) << "the bar overlaps the minimap";
  const QRgb maximum = with.pixel(column, top + 3);
  EXPECT_GT(qRed(maximum), 100);
  EXPECT_LT(qGreen(maximum), 60) << "the bar's top is hidden (under the minimap?)";
  int bottom = top;
  while (bottom + 1 < viewer.height() && with.pixel(column, bottom + 1) != without.pixel(column, bottom + 1)) ++bottom;
  EXPECT_GT(bottom - top, 100) << "the bar is long enough to read";
  const QRgb minimum = with.pixel(column, bottom - 3);
  EXPECT_GT(qBlue(minimum), qRed(minimum) + 60) << "jet's minimum at the bottom";
}

TEST_F(SlideOverlay, ScreenshotWithLabelsMeasurementAndHeatmap) {
  show();
  auto slide = std::make_shared<test::InstrumentedSlide>(test::openDemoSlide());
  slide->setMicronsPerPixel(std::array<double, 2>{0.25, 0.25});
  open(slide);
  viewer.setView(0.5, 2300, 1500);
  ASSERT_TRUE(settle());
  ASSERT_TRUE(viewer.setHeatmap(scoreMap(), 0.45, core::ColorMap::Jet).ok());
  viewer.setHeatmapThreshold(0.3);
  viewer.setLabelClass(QStringLiteral("Tumor"));
  viewer.setTool(Tool2D::LabelRectangle);
  drag({350, 250}, {650, 520});
  viewer.setLabelClass(QStringLiteral("Stroma"));
  viewer.setTool(Tool2D::LabelPolygon);
  click({800, 600});
  click({1050, 560});
  click({1120, 820});
  doubleClick({860, 860});
  viewer.setLabelClass(QStringLiteral("Lymphocyte"));
  viewer.setTool(Tool2D::LabelPoint);
  click({300, 750});
  click({330, 790});
  viewer.setTool(Tool2D::Distance);
  drag({420, 900}, {760, 760});
  ASSERT_EQ(viewer.labels().annotations().annotations.size(), 4u);
  ASSERT_EQ(viewer.tools().measurements().size(), 1u);
  fs::create_directories(kOut);
  const fs::path file = kOut / "slide-labels.png";
  ASSERT_TRUE(viewer.saveScreenshot(QString::fromStdString(file.string())));
  std::cout << "screenshot: " << file.string() << "\n";
  const QImage saved(QString::fromStdString(file.string()));
  ASSERT_EQ(saved.size(), viewer.size());
  EXPECT_EQ(pixelsThatDiffer(saved.convertToFormat(QImage::Format_RGB32), shot(), viewer.rect()), 0);
}
