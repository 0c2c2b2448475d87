// Label maps on the slide viewer, in a real window under Xvfb on the demo slide: a
// segmentation at downsample 16 made from the slide's own pixels (class 1 where the DAB
// stain is brown, class 2 in a box) is drawn in its class colours at 40% over the tiles
// where the class is 1 or 2, and leaves the slide untouched where it is 0, at a zoomed-out
// and a zoomed-in view; maps that do not belong to the slide are refused with the reason.
// slideLabelMapFromImage turns a geometry-less mask (QuPath's labelled image) into a map
// whose cells land on the right level-0 pixels.

#include <gtest/gtest.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>

#include <cmath>
#include <filesystem>
#include <iostream>

#include "SlideTestSupport.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/io/MapReader.hpp"
#include "meridian/viewers/MprGeometry.hpp"
#include "meridian/viewers/SlideLabelImage.hpp"
#include "meridian/viewers/SlideViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using viewers::SlideViewer;

namespace {

const fs::path kOut = MERIDIAN_TEST_OUTPUT;
constexpr int kCell = 16;                  // level-0 pixels per label cell
constexpr int kBoxX0 = 150, kBoxX1 = 200;  // the class-2 box, in label cells
constexpr int kBoxY0 = 20, kBoxY1 = 70;

// A label map over the demo slide (4096² at level 0) from its 256² level (downsample 16):
// class 1 where the pixel is brown (DAB: red well above blue, not glass-bright), class 2 in
// a box, 0 elsewhere. Geometry: cell (i, j) covers level-0 pixels 16i..16i+15.
core::Volume dabLabels(const core::SlideSource& slide) {
  const auto& levels = slide.levels();
  int level = -1;
  for (int l = 0; l < static_cast<int>(levels.size()); ++l)
    if (std::abs(levels[l].downsample - kCell) < 1e-6) level = l;
  EXPECT_GE(level, 0) << "the demo slide has a level at downsample 16";
  const auto& lv = levels[level];
  auto rgb = slide.readRegion(level, 0, 0, static_cast<int>(lv.width), static_cast<int>(lv.height));
  EXPECT_TRUE(rgb.ok());
  const core::Image2D& image = rgb.value();
  auto labels = core::Volume::allocate({image.width(), image.height(), 1}, core::PixelType::UInt8).value();
  labels.spacing = {kCell, kCell, 1};
  labels.origin = {kCell / 2.0 - 0.5, kCell / 2.0 - 0.5, 0};
  auto* v = labels.data();
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const double r = image.valueAt(x, y, 0), g = image.valueAt(x, y, 1), b = image.valueAt(x, y, 2);
      std::uint8_t k = (r - b > 25 && (r + g + b) / 3 < 200) ? 1 : 0;
      if (x >= kBoxX0 && x < kBoxX1 && y >= kBoxY0 && y < kBoxY1) k = 2;
      v[static_cast<std::size_t>(y) * image.width() + x] = k;
    }
  return labels;
}

core::Volume filled(std::array<int, 3> size, core::PixelType type, double value, int channels = 1) {
  auto volume = core::Volume::allocate(size, type, core::PixelBuffer::Init::Zero, channels).value();
  volume.spacing = {kCell, kCell, 1};
  volume.origin = {kCell / 2.0 - 0.5, kCell / 2.0 - 0.5, 0};
  if (type == core::PixelType::Float32)
    reinterpret_cast<float*>(volume.data())[5] = static_cast<float>(value);
  else if (type == core::PixelType::Int16)
    reinterpret_cast<std::int16_t*>(volume.data())[5] = static_cast<std::int16_t>(value);
  else
    volume.data()[5] = static_cast<std::uint8_t>(value);
  return volume;
}

class SlideLabelMap : public testing::Test {
 protected:
  void show(int width = 1600, int height = 1000) {
    viewer.resize(width, height);
    viewer.show();
    ASSERT_TRUE(test::waitUntil([&] { return viewer.isVisible() && viewer.width() == width; }, 10000));
  }
  bool settle() {
    return viewer.waitForFieldOfView() && test::waitUntil([&] { return viewer.loader().pending() == 0; });
  }
  QImage shot() { return viewer.grab().toImage().convertToFormat(QImage::Format_RGB32); }

  // The class drawn at a screen pixel, when every label cell within `margin` level-0 pixels
  // of its centre has the same class (a pixel on a class boundary could take either side's
  // colour, depending on rounding); -1 otherwise or outside the slide.
  int uniformClassAt(const core::Volume& labels, int x, int y, double margin) const {
    const auto s = viewer.state().viewToSlide(x + 0.5, y + 0.5);  // SlideViewState: pixel i over [i, i + 1)
    if (s[0] - margin < 0 || s[1] - margin < 0 || s[0] + margin >= 4096 || s[1] + margin >= 4096) return -1;
    // Every cell the square of side 2 * margin around it touches (a cell is 16 level-0 pixels).
    const int i0 = static_cast<int>(std::floor((s[0] - margin) / kCell));
    const int i1 = static_cast<int>(std::floor((s[0] + margin) / kCell));
    const int j0 = static_cast<int>(std::floor((s[1] - margin) / kCell));
    const int j1 = static_cast<int>(std::floor((s[1] + margin) / kCell));
    const int found = labels.data()[static_cast<std::size_t>(j0) * labels.size()[0] + i0];
    for (int j = j0; j <= j1; ++j)
      for (int i = i0; i <= i1; ++i)
        if (labels.data()[static_cast<std::size_t>(j) * labels.size()[0] + i] != found) return -1;
    return found;
  }

  // Over the widget (clear of the minimap, top right, and the scale bar, bottom left), every
  // pixel of a uniform class is the plain slide where the class is 0 and the class colour at
  // 40% over it elsewhere. Returns how many pixels of each class were checked.
  std::array<int, 3> checkBlend(const core::Volume& labels, const QImage& plain, const QImage& drawn) {
    std::array<int, 3> checked{0, 0, 0};
    const double ds = viewer.state().levels()[viewer.state().fittingLevel()].downsample;
    const double margin = ds + 3 / viewer.state().zoom();
    int wrong = 0;
    for (int y = 10; y < viewer.height() - 90; y += 7)
      for (int x = 10; x < viewer.width() - 250; x += 7) {
        const int k = uniformClassAt(labels, x, y, margin);
        if (k < 0) continue;
        ++checked[static_cast<std::size_t>(k)];
        const QRgb under = plain.pixel(x, y), got = drawn.pixel(x, y);
        double expected[3] = {double(qRed(under)), double(qGreen(under)), double(qBlue(under))};
        if (k > 0) {
          const viewers::Rgb c = viewer.labelMap().colorOf(k);
          for (int a = 0; a < 3; ++a)
            expected[a] = expected[a] * (1 - SlideViewer::kLabelMapOpacity) + c[a] * SlideViewer::kLabelMapOpacity;
        }
        const double off = std::hypot(qRed(got) - expected[0], qGreen(got) - expected[1], qBlue(got) - expected[2]);
        if (off > (k == 0 ? 0.0 : 4.0) && ++wrong <= 5)
          ADD_FAILURE() << "screen (" << x << ", " << y << ") class " << k << ": drawn " << qRed(got) << ","
                        << qGreen(got) << "," << qBlue(got) << " expected " << expected[0] << "," << expected[1] << ","
                        << expected[2];
      }
    EXPECT_EQ(wrong, 0);
    return checked;
  }

  SlideViewer viewer;
};

}  // namespace

TEST_F(SlideLabelMap, IsDrawnInClassColoursAt40PercentOverTheSlideAtTwoZooms) {
  show();
  auto slide = test::openDemoSlide();
  ASSERT_TRUE(slide);
  viewer.setSlide(slide);
  ASSERT_TRUE(settle());
  EXPECT_TRUE(static_cast<viewers::OverlayTarget&>(viewer).supportsLabelMaps());
  const core::Volume labels = dabLabels(*slide);
  const std::vector<std::string> names{"", "DAB-positive", "region of interest"};
  // A named class takes its name's colour, as a label shape of that class does.
  ASSERT_TRUE(viewer.setLabelMap(labels, names).ok());
  EXPECT_EQ(viewer.labelMap().colorOf(1), viewers::LabelLayer().colorOf("DAB-positive"));
  EXPECT_NE(viewer.labelMap().colorOf(1), viewer.labelMap().colorOf(2));
  viewer.clearLabelMap();

  struct View {
    double zoom, x, y;
  };
  // Fitted (level 2 of the pyramid, a label cell ~4 screen pixels) and zoomed in past level 0
  // on the box's left edge (a cell 32 screen pixels).
  for (const View& view : {View{0, 0, 0}, View{2.0, kBoxX0 * kCell, (kBoxY0 + kBoxY1) / 2.0 * kCell}}) {
    if (view.zoom > 0)
      viewer.setView(view.zoom, view.x, view.y);
    else
      viewer.resetView();
    ASSERT_TRUE(settle());
    const QImage plain = shot();
    ASSERT_TRUE(viewer.setLabelMap(labels, names).ok());
    QElapsedTimer timer;
    timer.start();
    const QImage drawn = shot();  // samples and colours the label tiles in view
    const qint64 firstMs = timer.restart();
    (void)shot();  // from the cached label tiles
    std::cout << "frame with the label map: " << firstMs << " ms first, " << timer.elapsed() << " ms cached; ";
    const auto checked = checkBlend(labels, plain, drawn);
    std::cout << "zoom " << viewer.state().zoom() << " level " << viewer.state().fittingLevel()
              << ": pixels checked per class " << checked[0] << " / " << checked[1] << " / " << checked[2] << "\n";
    for (int k = 0; k < 3; ++k) EXPECT_GT(checked[static_cast<std::size_t>(k)], 100) << "class " << k;
    // The minimap (a square slide: 200 x 200, 12 pixels from the top right corner) shows the
    // slide, not the map.
    const QRect minimap(viewer.width() - 12 - 200 + 2, 12 + 2, 196, 196);
    EXPECT_EQ(drawn.copy(minimap), plain.copy(minimap));
    if (view.zoom == 0) drawn.save(QString::fromStdString((kOut / "slide-labelmap-fit.png").string()));
    viewer.clearLabelMap();
    EXPECT_EQ(shot(), plain) << "cleared: the plain slide again";
  }

  // A heatmap goes over the label map (the screenshot a person looks at).
  viewer.resetView();
  ASSERT_TRUE(settle());
  ASSERT_TRUE(viewer.setLabelMap(labels, names).ok());
  auto heat = core::Volume::allocate({16, 16, 1}, core::PixelType::Float32).value();
  heat.spacing = {256, 256, 1};
  heat.origin = {127.5, 127.5, 0};
  for (int j = 0; j < 16; ++j)
    for (int i = 0; i < 16; ++i)
      reinterpret_cast<float*>(heat.data())[j * 16 + i] =
          static_cast<float>(std::exp(-((i - 4) * (i - 4) + (j - 11) * (j - 11)) / 6.0));
  ASSERT_TRUE(viewer.setHeatmap(std::move(heat), 0.5).ok());
  viewer.setHeatmapThreshold(0.3);
  fs::create_directories(kOut);
  EXPECT_TRUE(viewer.saveScreenshot(QString::fromStdString((kOut / "slide-labelmap-heatmap.png").string())));

  // Another slide (or the same one opened again): the map belonged to the old one.
  viewer.setSlide(slide);
  EXPECT_FALSE(viewer.labelMap().hasLabels());
}

TEST_F(SlideLabelMap, MapsThatDoNotBelongToTheSlideAreRefusedWithTheReason) {
  show(800, 600);
  EXPECT_FALSE(viewer.setLabelMap(filled({256, 256, 1}, core::PixelType::UInt8, 1)).ok()) << "no slide open";
  viewer.setSlide(test::openDemoSlide());
  ASSERT_TRUE(settle());
  ASSERT_TRUE(viewer.setLabelMap(filled({256, 256, 1}, core::PixelType::UInt8, 3)).ok());
  EXPECT_EQ(viewer.labelMap().maxLabel(), 3);

  auto refused = [&](core::Volume labels, const std::string& says) {
    const auto status = viewer.setLabelMap(std::move(labels));
    ASSERT_FALSE(status.ok()) << says;
    EXPECT_NE(status.error().message.find(says), std::string::npos) << status.error().message;
    EXPECT_EQ(viewer.labelMap().maxLabel(), 3) << "the map shown before stays";
  };
  // 300 cells of 16 pixels: 4800 wide on a 4096-pixel slide (both extents named).
  refused(filled({300, 256, 1}, core::PixelType::UInt8, 1), "4095.5");
  refused(filled({300, 256, 1}, core::PixelType::UInt8, 1), "4799.5");
  // Made at downsample 16 but labelled 17: 4352 pixels wide, 256 more than the slide.
  core::Volume wrongSpacing = filled({256, 256, 1}, core::PixelType::UInt8, 1);
  wrongSpacing.spacing = {17, 17, 1};
  refused(std::move(wrongSpacing), "does not fit the slide");
  // Shifted by more than one cell: another slide's (or a crop's) segmentation.
  core::Volume shifted = filled({256, 256, 1}, core::PixelType::UInt8, 1);
  shifted.origin[0] += 20;
  refused(std::move(shifted), "does not fit the slide");
  refused(filled({256, 256, 1}, core::PixelType::Float32, 1.5), "1.5");
  refused(filled({256, 256, 1}, core::PixelType::Int16, -2), "-2");
  refused(filled({256, 256, 1}, core::PixelType::UInt8, 1, 3), "one channel");
  refused(filled({256, 256, 2}, core::PixelType::UInt8, 1), "depth must be 1");

  // Within one cell of the border is fine: a slide is rarely a multiple of the downsample.
  core::Volume overhang = filled({256, 256, 1}, core::PixelType::Float32, 2);
  overhang.origin[0] += 12;
  EXPECT_TRUE(viewer.setLabelMap(std::move(overhang)).ok()) << "integer-valued floats are class indices too";
  EXPECT_EQ(viewer.labelMap().maxLabel(), 2);

  // A NIfTI label map keeps its level-0 geometry through the map reader (what MainWindow
  // loads): cell 5 of row 0 is level-0 x 80..95, y 0..15.
  fs::create_directories(kOut);
  const fs::path file = kOut / "slide-labels-16.nii.gz";
  ASSERT_TRUE(io::writeVolume(filled({256, 256, 1}, core::PixelType::UInt8, 4), file).ok());
  auto read = io::readMap(file);
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_TRUE(viewer.setLabelMap(std::move(read).value()).ok());
  EXPECT_EQ(viewer.labelMap().labelAt({80, 8, 0}), 4);
  EXPECT_EQ(viewer.labelMap().labelAt({95, 15, 0}), 4);
  EXPECT_EQ(viewer.labelMap().labelAt({79, 8, 0}), 0);
  EXPECT_EQ(viewer.labelMap().labelAt({96, 8, 0}), 0);
  EXPECT_EQ(viewer.labelMap().labelAt({88, 16, 0}), 0);
}

TEST(SlideLabelImage, CoversTheWholeSlideWithCellsOnTheRightLevel0Pixels) {
  // QuPath's labelled image of a 4000 x 3000 slide at downsample 16: 250 x 188 (187.5 rounded).
  auto image = core::Image2D::allocate(250, 188, 1, core::PixelType::UInt8).value();
  image.pixels<std::uint8_t>()[20 * 250 + 10] = 7;    // label pixel (10, 20)
  image.pixels<std::uint8_t>()[187 * 250 + 249] = 9;  // the bottom-right corner
  auto made = viewers::slideLabelMapFromImage(image, 4000, 3000);
  ASSERT_TRUE(made.ok()) << made.error().message;
  const core::Volume& map = made.value();
  EXPECT_EQ(map.size(), (std::array<int, 3>{250, 188, 1}));
  EXPECT_EQ(map.pixelType(), core::PixelType::UInt8);
  EXPECT_DOUBLE_EQ(map.spacing[0], 16.0);
  EXPECT_DOUBLE_EQ(map.spacing[1], 3000.0 / 188);
  EXPECT_DOUBLE_EQ(map.origin[0], 7.5);

  // On the slide's level-0 grid (pixel centres on integers), label pixel (10, 20) is
  // level-0 x 160..175 (edges 159.5..175.5) and y 319..334 (edges 20 * 3000 / 188 - 0.5 =
  // 318.6 .. 334.6).
  viewers::VolumeLabelMap labels;
  viewers::VolumeGeometry level0;
  level0.size = {4000, 3000, 1};
  ASSERT_TRUE(labels.set(map, level0, {}, "slide", "level-0 pixel", 1.0).ok());
  for (int x = 160; x <= 175; ++x) EXPECT_EQ(labels.labelAt({double(x), 327, 0}), 7) << x;
  EXPECT_EQ(labels.labelAt({159, 327, 0}), 0);
  EXPECT_EQ(labels.labelAt({176, 327, 0}), 0);
  EXPECT_EQ(labels.labelAt({168, 319, 0}), 7);
  EXPECT_EQ(labels.labelAt({168, 318, 0}), 0);
  EXPECT_EQ(labels.labelAt({168, 334, 0}), 7);
  EXPECT_EQ(labels.labelAt({168, 335, 0}), 0);
  EXPECT_EQ(labels.labelAt({3999, 2999, 0}), 9) << "the last level-0 pixel is under the last label pixel";
  EXPECT_EQ(labels.labelAt({3984, 2985, 0}), 9);
  EXPECT_EQ(labels.labelAt({3983, 2999, 0}), 0);
}

TEST(SlideLabelImage, RefusesAnotherSlidesMaskAndPictures) {
  auto mask = [](int w, int h, int channels, core::PixelType type) {
    return core::Image2D::allocate(w, h, channels, type).value();
  };
  // Within one label pixel of the slide's aspect ratio: accepted (either rounding).
  EXPECT_TRUE(viewers::slideLabelMapFromImage(mask(250, 187, 1, core::PixelType::UInt8), 4000, 3000).ok());
  EXPECT_TRUE(viewers::slideLabelMapFromImage(mask(250, 188, 1, core::PixelType::UInt16), 4000, 3000).ok());
  // Two pixels off: another slide's mask (or a crop); both sizes named.
  auto other = viewers::slideLabelMapFromImage(mask(250, 190, 1, core::PixelType::UInt8), 4000, 3000);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("250x190"), std::string::npos) << other.error().message;
  EXPECT_NE(other.error().message.find("4000x3000"), std::string::npos) << other.error().message;
  EXPECT_FALSE(viewers::slideLabelMapFromImage(mask(256, 256, 1, core::PixelType::UInt8), 4000, 3000).ok());
  auto colour = viewers::slideLabelMapFromImage(mask(250, 188, 3, core::PixelType::UInt8), 4000, 3000);
  ASSERT_FALSE(colour.ok());
  EXPECT_NE(colour.error().message.find("colour"), std::string::npos) << colour.error().message;
  auto floats = viewers::slideLabelMapFromImage(mask(250, 188, 1, core::PixelType::Float32), 4000, 3000);
  ASSERT_FALSE(floats.ok());
  EXPECT_NE(floats.error().message.find("floating point"), std::string::npos) << floats.error().message;
  EXPECT_FALSE(viewers::slideLabelMapFromImage(core::Image2D(), 4000, 3000).ok());
  EXPECT_FALSE(viewers::slideLabelMapFromImage(mask(250, 188, 1, core::PixelType::UInt8), 0, 3000).ok());
}
