// A DICOM image with VOI LUTs and stored windows, opened in the window (issue 13): it is
// presented through its first VOI LUT, pixel-equal to pydicom's apply_voi_lut; the
// "Window" button offers both LUTs by their explanations and both stored windows plus the free
// W/L; choosing another shows pydicom's result for it; a right-drag switches to the free
// W/L. The file is pydicom's real CT_small with tables and windows added by
// tests/core/io/lut_reference.py (Debian's test files carry none), run here.

#include <gtest/gtest.h>

#include <QAction>
#include <QMenu>
#include <QToolButton>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "MouseInput.hpp"
#include "PeerPixels.hpp"
#include "Pearson.hpp"
#include "VolumeTestSupport.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kOut = MERIDIAN_TEST_OUTPUT;
const fs::path kLutScript = MERIDIAN_TEST_LUT_SCRIPT;

fs::path lutReference() {
  const fs::path dir = kOut / "voi-lut-viewer";
  if (!fs::exists(dir / "lut-reference.json")) {
    const std::string command = "/usr/bin/python3 '" + kLutScript.string() + "' '" + dir.string() + "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
  }
  return dir;
}

using test::readF64;
using test::worstDifference;

// Correlation between the rendered frame at each image pixel's view position and `peer`.
double screenCorrelation(viewers::ImageViewer2D& viewer, const std::vector<double>& peer) {
  const QImage shot = viewer.grabFramebuffer();
  const core::Image2D& image = viewer.image();
  std::vector<double> a, b;
  // VTK draws the image between its border pixels' centres: the outer pixels are half off
  // screen, and a sample at their centre can fall on the background. Interior pixels only.
  for (int y = 1; y + 1 < image.height(); ++y)
    for (int x = 1; x + 1 < image.width(); ++x) {
      const auto v = viewer.state().imageToView(x, y);
      const int vx = static_cast<int>(std::floor(v[0])), vy = static_cast<int>(std::floor(v[1]));
      if (vx < 0 || vy < 0 || vx >= shot.width() || vy >= shot.height()) continue;
      const QRgb c = shot.pixel(vx, vy);
      a.push_back((qRed(c) + qGreen(c) + qBlue(c)) / 3.0);
      b.push_back(peer[static_cast<std::size_t>(y) * image.width() + x]);
    }
  return testsupport::pearson(a, b);
}

QStringList menuEntries(QToolButton* button) {
  QStringList out;
  for (QAction* a : button->menu()->actions()) out << a->text();
  return out;
}

QAction* entry(QToolButton* button, const QString& text) {
  for (QAction* a : button->menu()->actions())
    if (a->text() == text) return a;
  return nullptr;
}

}  // namespace

TEST(VoiLutViewer, OpensWithTheFirstVoiLutAndOffersEveryLutAndWindow) {
  const fs::path ref = lutReference();
  const fs::path file = ref / "ct-voi-two-nonlinear.dcm";
  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1200, 800));
  ASSERT_TRUE(window.openPath(file).ok());
  testsupport::processEvents();
  viewers::ImageViewer2D* viewer = window.viewer();
  const std::size_t count = static_cast<std::size_t>(viewer->image().width()) * viewer->image().height();
  ASSERT_EQ(count, 128u * 128u);

  // Presented through the first VOI LUT ("SIGMOID", 16-bit entries), as pydicom applies it.
  EXPECT_EQ(viewer->presentation(), 0u);
  const auto sigmoid = readF64(ref / "ct-voi-two-nonlinear.voi0.pydicom.f64", count);
  EXPECT_EQ(viewer->displayedImage().pixelType(), core::PixelType::UInt16);
  EXPECT_EQ(worstDifference(viewer->displayedImage(), sigmoid), 0.0) << "not pydicom's apply_voi_lut";
  EXPECT_GT(screenCorrelation(*viewer, sigmoid), 0.98) << "the screen does not show the LUT's output";
  EXPECT_TRUE(testsupport::savePng(window.grab().toImage(), kOut, "voi-lut-sigmoid.png"));

  auto* button = viewer->findChild<QToolButton*>(QStringLiteral("windowButton"));
  ASSERT_NE(button, nullptr);
  EXPECT_TRUE(button->isVisible());
  EXPECT_EQ(button->text().toStdString(), "Window: SIGMOID");
  EXPECT_EQ(menuEntries(button), (QStringList{QStringLiteral("SIGMOID"), QStringLiteral("GAMMA"),
                                              QStringLiteral("Window 1  (L 40 / W 400)"),
                                              QStringLiteral("Window 2  (L -600 / W 1500)"),
                                              QStringLiteral("Free window/level")}));
  EXPECT_TRUE(entry(button, QStringLiteral("SIGMOID"))->isChecked());

  // The second LUT (12-bit entries): pydicom's result again.
  entry(button, QStringLiteral("GAMMA"))->trigger();
  testsupport::processEvents();
  const auto gamma = readF64(ref / "ct-voi-two-nonlinear.voi1.pydicom.f64", count);
  EXPECT_EQ(viewer->presentation(), 1u);
  EXPECT_EQ(worstDifference(viewer->displayedImage(), gamma), 0.0);
  EXPECT_GT(screenCorrelation(*viewer, gamma), 0.98);
  EXPECT_TRUE(entry(button, QStringLiteral("GAMMA"))->isChecked());
  EXPECT_FALSE(entry(button, QStringLiteral("SIGMOID"))->isChecked());

  // A stored window: the image's own values under it, as pydicom windows them.
  entry(button, QStringLiteral("Window 2  (L -600 / W 1500)"))->trigger();
  testsupport::processEvents();
  EXPECT_EQ(viewer->displayedImage().pixelType(), viewer->image().pixelType());
  EXPECT_DOUBLE_EQ(viewer->state().window().center, -600.0);
  EXPECT_DOUBLE_EQ(viewer->state().window().width, 1500.0);
  const auto lung = readF64(ref / "ct-voi-two-nonlinear.window1.pydicom.f64", count);
  EXPECT_GT(screenCorrelation(*viewer, lung), 0.98);
  EXPECT_TRUE(testsupport::savePng(window.grab().toImage(), kOut, "voi-lut-lung-window.png"));

  // A right-drag changes the window on the image's values: the free W/L, from the lung window.
  const QPoint centre = viewer->rect().center();
  testsupport::drag(viewer, centre, centre + QPoint(40, 0), Qt::RightButton);
  testsupport::processEvents();
  EXPECT_EQ(viewer->presentations()[viewer->presentation()].kind, viewers::PresentationChoice::Kind::Free);
  EXPECT_EQ(button->text().toStdString(), "Window: Free window/level");
  EXPECT_DOUBLE_EQ(viewer->state().window().center, -600.0);
  EXPECT_GT(viewer->state().window().width, 1500.0);

  // Reset view: back to the file's own presentation.
  viewer->resetView();
  EXPECT_EQ(viewer->presentation(), 0u);
  EXPECT_EQ(worstDifference(viewer->displayedImage(), sigmoid), 0.0);
}

TEST(VoiLutViewer, AnImageWithoutLutsOrWindowsHasNoWindowButton) {
  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1000, 700));
  ASSERT_TRUE(window.openPath("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm").ok());
  testsupport::processEvents();
  auto* button = window.viewer()->findChild<QToolButton*>(QStringLiteral("windowButton"));
  ASSERT_NE(button, nullptr);
  EXPECT_FALSE(button->isVisible());
  EXPECT_EQ(window.viewer()->presentations().size(), 1u);
  EXPECT_FALSE(window.viewer()->displayedImage().empty());
}
