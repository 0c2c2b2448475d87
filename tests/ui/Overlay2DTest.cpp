// The 2D viewer's overlays on real demo images under Xvfb: a heatmap with its colour bar
// (the overlay's colour is where the map's maximum is, and nowhere else), threshold,
// refusal of a map made for another image, label shapes in class colours, and frame
// stepping through a real ultrasound cine loop. Screenshots go to build/test-output/ui.

#include <gtest/gtest.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QWheelEvent>
#include <QWindow>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/viewers/ColorBar.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kOut = MERIDIAN_TEST_OUTPUT;

void showAndWait(QWidget& widget, int w = 900, int h = 700) {
  widget.resize(w, h);
  widget.show();
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < 10000 && !(widget.windowHandle() && widget.windowHandle()->isExposed()))
    QApplication::processEvents(QEventLoop::AllEvents, 20);
  ASSERT_TRUE(widget.windowHandle()->isExposed()) << "window never exposed: is the X server up?";
  for (int i = 0; i < 10; ++i) QApplication::processEvents();
}

QImage shoot(QWidget& widget, const std::string& name) {
  for (int i = 0; i < 5; ++i) QApplication::processEvents();
  QImage shot = widget.grab().toImage().convertToFormat(QImage::Format_RGB32);
  fs::create_directories(kOut);
  const fs::path file = kOut / name;
  EXPECT_TRUE(shot.save(QString::fromStdString(file.string()), "PNG")) << file;
  std::cout << "screenshot: " << file.string() << "\n";
  return shot;
}

core::Image2D openImage(const std::string& name) {
  auto opened = io::ReaderRegistry::builtin().open(kDemo / name);
  EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
  return std::get<core::Image2D>(opened.value().content);
}

// A ViT's 14x14 patch grid on a 224-pixel letterboxed input, as meridian-cli explain makes it,
// with `hot` the hottest patch (column, row), everything else 0.1.
core::Volume attentionMap(int imageW, int imageH, std::array<int, 2> hot) {
  const double scale = 224.0 / std::max(imageW, imageH);
  const int rw = static_cast<int>(std::lround(imageW * scale)), rh = static_cast<int>(std::lround(imageH * scale));
  core::Heatmap grid;
  grid.width = grid.height = 14;
  grid.values.assign(196, 0.1f);
  grid.values[static_cast<std::size_t>(hot[1]) * 14 + hot[0]] = 1.0f;
  grid.cellWidth = 16.0 * imageW / rw;
  grid.cellHeight = 16.0 * imageH / rh;
  grid.originX = -((224 - rw) / 2) * static_cast<double>(imageW) / rw;
  grid.originY = -((224 - rh) / 2) * static_cast<double>(imageH) / rh;
  return core::heatmapToMapVolume(grid, imageW, imageH).value();
}

// View position of the centre of patch (col, row) of that grid.
QPoint patchCentre(const viewers::ImageViewer2D& viewer, int imageW, int imageH, int col, int row) {
  const double scale = 224.0 / std::max(imageW, imageH);
  const int rw = static_cast<int>(std::lround(imageW * scale)), rh = static_cast<int>(std::lround(imageH * scale));
  const double x = ((col + 0.5) * 16 - (224 - rw) / 2) * static_cast<double>(imageW) / rw - 0.5;
  const double y = ((row + 0.5) * 16 - (224 - rh) / 2) * static_cast<double>(imageH) / rh - 0.5;
  const auto v = viewer.state().imageToView(x, y);
  return {static_cast<int>(std::lround(v[0])), static_cast<int>(std::lround(v[1]))};
}

std::array<double, 3> rgbOf(QRgb c) {
  return {double(qRed(c)), double(qGreen(c)), double(qBlue(c))};
}

// The screenshot is of the viewer alone: view pixels = screenshot pixels.
std::array<double, 3> colorAt(const QImage& shot, QPoint p) {
  return rgbOf(shot.pixel(p));
}

double colorDistance(const std::array<double, 3>& a, const std::array<std::uint8_t, 3>& b) {
  return std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

// What an opaque heatmap must put at view pixel p: the layer's own colour for the map's
// value at the image position the view state assigns to p.
std::array<std::uint8_t, 3> expectedHeatmapColor(const viewers::ImageViewer2D& viewer, QPoint p) {
  const auto at = viewer.state().viewToImage(p.x(), p.y());
  const auto value = viewer.heatmap().sampleImage(at[0], at[1], viewers::Interpolation::Linear);
  const auto rgba = viewer.heatmap().colorFor(value.value_or(std::nanf("")));
  return {rgba[0], rgba[1], rgba[2]};
}

// Closest match to `rgb` within `radius` pixels of p (antialiased outlines cover pixels partly).
double nearestColorDistance(const QImage& shot, QPoint p, const std::array<std::uint8_t, 3>& rgb, int radius = 2) {
  double best = 1e9;
  for (int dy = -radius; dy <= radius; ++dy)
    for (int dx = -radius; dx <= radius; ++dx)
      best = std::min(best, colorDistance(colorAt(shot, p + QPoint(dx, dy)), rgb));
  return best;
}

TEST(Overlay2D, TheHeatmapColourIsWhereTheMapsMaximumIs) {
  const core::Image2D fundus = openImage("fundus-retina.jpg");
  viewers::ImageViewer2D viewer;
  showAndWait(viewer);
  viewer.setImage(fundus);
  const QImage plain = shoot(viewer, "overlay-fundus-plain.png");

  ASSERT_TRUE(viewer.setHeatmap(attentionMap(fundus.width(), fundus.height(), {9, 4}), 1.0, core::ColorMap::Jet).ok());
  const QImage shot = shoot(viewer, "overlay-fundus-heatmap.png");
  const auto hot = core::colorAt(core::ColorMap::Jet, 1.0), cold = core::colorAt(core::ColorMap::Jet, 0.0);
  // Opaque map: the hot patch's centre shows jet's top colour, other patches' centres its
  // bottom one, whatever the photo is.
  const QPoint hotCentre = patchCentre(viewer, fundus.width(), fundus.height(), 9, 4);
  // (The centre rounds to a whole view pixel, where jet's steep top is a shade off its maximum,
  // and the peak is a cusp that scaling the rendered map to the view softens a little.)
  const auto hotSeen = expectedHeatmapColor(viewer, hotCentre);
  EXPECT_LT(colorDistance(colorAt(shot, hotCentre), hotSeen), 24) << hotCentre.x() << "," << hotCentre.y();
  EXPECT_LT(colorDistance(std::array<double, 3>{double(hotSeen[0]), double(hotSeen[1]), double(hotSeen[2])}, hot), 30);
  for (auto [col, row] : {std::pair{2, 2}, {9, 10}, {4, 4}, {12, 6}})
    EXPECT_LT(colorDistance(colorAt(shot, patchCentre(viewer, fundus.width(), fundus.height(), col, row)), cold), 12)
        << col << "," << row;
  // Everywhere over the image the screen shows what the layer says for that position (the
  // bilinear slope around the hot patch included), on a grid of view pixels.
  const auto topLeft = viewer.state().imageToView(0, 0),
             bottomRight = viewer.state().imageToView(fundus.width() - 1, fundus.height() - 1);
  int checked = 0, wrong = 0;
  for (int y = static_cast<int>(topLeft[1]) + 3; y < bottomRight[1] - 3; y += 7)
    for (int x = static_cast<int>(topLeft[0]) + 3; x < bottomRight[0] - 3; x += 7) {
      ++checked;
      wrong += colorDistance(colorAt(shot, {x, y}), expectedHeatmapColor(viewer, {x, y})) > 24;
    }
  EXPECT_GT(checked, 5000);
  EXPECT_LT(wrong, checked / 100) << wrong << " of " << checked << " pixels differ from the layer's colour";
  // The reddest patch centre on screen is the map's maximum.
  QPoint reddest;
  double best = -1e9;
  for (int row = 0; row < 14; ++row)
    for (int col = 0; col < 14; ++col) {
      const QPoint p = patchCentre(viewer, fundus.width(), fundus.height(), col, row);
      const auto c = colorAt(shot, p);
      if (c[0] - c[2] > best) best = c[0] - c[2], reddest = p;
    }
  EXPECT_EQ(reddest, hotCentre);

  // The colour bar: jet from the top (max) to the bottom (min), labelled 1 and 0.1.
  const QRect bar = viewers::colorBarArea(viewer.size());
  const auto barColor = [&](int y) {
    return core::colorAt(core::ColorMap::Jet, 1.0 - double(y - bar.top()) / (bar.height() - 1));
  };
  for (int y : {bar.top() + 4, bar.center().y(), bar.bottom() - 4})
    EXPECT_LT(colorDistance(colorAt(shot, QPoint(bar.center().x(), y)), barColor(y)), 10) << "bar row " << y;

  // Threshold 0.5: the cold patches become transparent (the photo again), the hot one stays.
  viewer.setHeatmapThreshold(0.5);
  const QImage thresholded = shoot(viewer, "overlay-fundus-heatmap-threshold.png");
  const QPoint coldCentre = patchCentre(viewer, fundus.width(), fundus.height(), 4, 4);
  const auto photo = colorAt(plain, coldCentre);
  const auto now = colorAt(thresholded, coldCentre);
  EXPECT_LT(std::hypot(photo[0] - now[0], photo[1] - now[1], photo[2] - now[2]), 6);
  EXPECT_LT(colorDistance(colorAt(thresholded, hotCentre), hotSeen), 24);

  // Half opacity and viridis: the hot patch is the average of the photo and viridis' top.
  viewer.setHeatmapThreshold(std::nullopt);
  viewer.setHeatmapOpacity(0.5);
  viewer.setHeatmapColorMap(core::ColorMap::Viridis);
  const QImage blended = shoot(viewer, "overlay-fundus-heatmap-viridis-half.png");
  const auto top = core::colorAt(core::ColorMap::Viridis, 1.0);
  const auto under = colorAt(plain, hotCentre), seen = colorAt(blended, hotCentre);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(seen[c], 0.5 * under[c] + 0.5 * top[c], 8) << "channel " << c;
}

TEST(Overlay2D, ALetterboxedMapLinesUpOnANonSquareCineFrame) {
  // Frame of the real echocardiography cine (600x430): letterboxed with padding above and below.
  auto opened = io::ReaderRegistry::builtin().open(kDemo / "us-echo-cine.dcm");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto frames = std::make_shared<core::Volume>(std::get<core::Volume>(opened.value().content));
  viewers::ImageViewer2D viewer;
  showAndWait(viewer);
  viewer.setFrames(frames);
  const int w = viewer.image().width(), h = viewer.image().height();
  ASSERT_EQ(w, 600);
  ASSERT_EQ(h, 430);
  ASSERT_TRUE(viewer.setHeatmap(attentionMap(w, h, {3, 9}), 1.0).ok());
  const QImage shot = shoot(viewer, "overlay-echo-letterboxed-heatmap.png");
  const QPoint hotCentre = patchCentre(viewer, w, h, 3, 9);
  EXPECT_LT(colorDistance(colorAt(shot, hotCentre), expectedHeatmapColor(viewer, hotCentre)), 24);
  const auto at = viewer.state().viewToImage(hotCentre.x(), hotCentre.y());
  EXPECT_GT(viewer.heatmap().sampleImage(at[0], at[1], viewers::Interpolation::Linear).value(), 0.97f);
  EXPECT_LT(colorDistance(colorAt(shot, patchCentre(viewer, w, h, 3, 8)), core::colorAt(core::ColorMap::Jet, 0.0)), 12);
  EXPECT_LT(colorDistance(colorAt(shot, patchCentre(viewer, w, h, 4, 9)), core::colorAt(core::ColorMap::Jet, 0.0)), 12);
}

TEST(Overlay2D, AMapMadeForAnotherImageIsRefusedAndNothingIsDrawn) {
  const core::Image2D ct = openImage("ct-slice.dcm");  // 128x128
  viewers::ImageViewer2D viewer;
  showAndWait(viewer);
  viewer.setImage(ct);
  const QImage before = shoot(viewer, "overlay-ct-refused-map.png");
  // A 14x14 grid of 16-pixel cells: made for a 224-pixel image.
  core::Volume map = core::Volume::allocate({14, 14, 1}, core::PixelType::Float32).value();
  map.spacing = {16, 16, 1};
  map.origin = {7.5, 7.5, 0};
  const auto refused = viewer.setHeatmap(map);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("x -0.5..223.5, y -0.5..223.5 pixels"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("x -0.5..127.5, y -0.5..127.5 pixels"), std::string::npos);
  EXPECT_FALSE(viewer.heatmap().hasMap());
  EXPECT_EQ(viewer.grab().toImage().convertToFormat(QImage::Format_RGB32), before);
}

TEST(Overlay2D, LabelShapesAreDrawnInTheirClassColours) {
  const core::Image2D ihc = openImage("pathology-ihc.png");
  viewers::ImageViewer2D viewer;
  showAndWait(viewer);
  viewer.setImage(ihc);
  core::AnnotationSet set;
  set.classes.push_back({"Tumor", {0, 255, 0}});
  const double w = ihc.width(), h = ihc.height();
  set.annotations.push_back(
      {"r", core::AnnotationShape::Rectangle, {{w * 0.2, h * 0.2}, {w * 0.5, h * 0.6}}, "Tumor", "", "", -1});
  set.annotations.push_back({"p",
                             core::AnnotationShape::Polygon,
                             {{w * 0.6, h * 0.2}, {w * 0.9, h * 0.3}, {w * 0.7, h * 0.8}},
                             "Stroma",
                             "",
                             "",
                             -1});
  viewer.setAnnotations(set);
  const QImage shot = shoot(viewer, "overlay-ihc-labels.png");
  // The rectangle's left edge, half-way down, is Tumor green.
  const auto edge = viewer.state().imageToView(w * 0.2, h * 0.4);
  const QPoint edgePixel(static_cast<int>(std::lround(edge[0])), static_cast<int>(std::lround(edge[1])));
  EXPECT_LT(nearestColorDistance(shot, edgePixel, {0, 255, 0}), 40);
  // The polygon's first vertex carries the Stroma colour.
  const auto stroma = viewer.labels().colorOf("Stroma");
  const auto vertex = viewer.state().imageToView(w * 0.6, h * 0.2);
  EXPECT_LT(
      nearestColorDistance(
          shot, QPoint(static_cast<int>(std::lround(vertex[0])), static_cast<int>(std::lround(vertex[1]))), stroma),
      40);
  // Its inside is tinted green, the same spot outside every shape is the plain image.
  viewer.setAnnotations({});
  const QImage plain = shoot(viewer, "overlay-ihc-no-labels.png");
  const QPoint inside = edgePixel + QPoint(20, 0);
  EXPECT_GT(colorAt(shot, inside)[1] - colorAt(plain, inside)[1], 10);
  EXPECT_EQ(shot.pixel(edgePixel - QPoint(20, 0)), plain.pixel(edgePixel - QPoint(20, 0)));
}

TEST(Overlay2D, CtrlWheelStepsThroughTheFramesOfARealCine) {
  auto opened = io::ReaderRegistry::builtin().open(kDemo / "us-echo-cine.dcm");
  ASSERT_TRUE(opened.ok());
  auto frames = std::make_shared<core::Volume>(std::get<core::Volume>(opened.value().content));
  ASSERT_EQ(frames->size()[2], 10);
  viewers::ImageViewer2D viewer;
  showAndWait(viewer);
  viewer.setFrames(frames);
  EXPECT_EQ(viewer.frameCount(), 10);
  EXPECT_EQ(viewer.frame(), 5);
  // Zoom in, then check the zoom survives a frame step.
  const QPointF centre(viewer.width() / 2.0, viewer.height() / 2.0);
  QWheelEvent zoom(centre, viewer.mapToGlobal(centre), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                   Qt::NoScrollPhase, false);
  QApplication::sendEvent(&viewer, &zoom);
  const double zoomed = viewer.state().zoom();
  EXPECT_GT(zoomed, 1.2);
  const QImage frame5 = shoot(viewer, "overlay-echo-frame5.png");
  int seen = -1;
  QObject::connect(&viewer, &viewers::ImageViewer2D::frameChanged, [&](int k, int) { seen = k; });
  QWheelEvent down(centre, viewer.mapToGlobal(centre), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::ControlModifier,
                   Qt::NoScrollPhase, false);
  QApplication::sendEvent(&viewer, &down);
  EXPECT_EQ(viewer.frame(), 6);
  EXPECT_EQ(seen, 6);
  EXPECT_DOUBLE_EQ(viewer.state().zoom(), zoomed);  // Ctrl+wheel steps, it does not zoom
  const QImage frame6 = shoot(viewer, "overlay-echo-frame6.png");
  EXPECT_NE(frame5, frame6);
  // The frame on screen is frame 6 of the file: compare with the frame's own pixels.
  auto expected = frames->slice(6).value();
  EXPECT_EQ(viewer.image().width(), expected.width());
  EXPECT_EQ(std::memcmp(viewer.image().data(), expected.data(), expected.sizeInBytes()), 0);
  viewer.setFrame(100);
  EXPECT_EQ(viewer.frame(), 9);
}

}  // namespace
