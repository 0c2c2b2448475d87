// Slides open in the main window's slide viewer (not as an overview in the 2D viewer), the
// Image panel lists the pyramid, and opening something else closes the slide.

#include <gtest/gtest.h>

#include <QTreeWidget>
#include <QWindow>

#include <filesystem>
#include <iostream>

#include "SlideTestSupport.hpp"
#include "meridian/ui/ImageInfoPanel.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/viewers/SlideViewer.hpp"

using namespace meridian;

TEST(SlideMainWindow, OpensASlideInTheSlideViewer) {
  ui::MainWindow window;
  ASSERT_TRUE(window.openPath(test::demoSlidePath()).ok());
  EXPECT_EQ(window.currentViewer(), window.slideViewer());
  ASSERT_TRUE(window.slideViewer()->hasSlide());
  window.resize(1400, 900);
  window.show();
  ASSERT_TRUE(test::waitUntil([&] { return window.windowHandle() && window.windowHandle()->isExposed(); }, 10000));
  ASSERT_TRUE(window.slideViewer()->waitForFieldOfView());
  const std::filesystem::path out = std::filesystem::path(MERIDIAN_TEST_OUTPUT) / "mainwindow-slide-viewer.png";
  std::filesystem::create_directories(out.parent_path());
  ASSERT_TRUE(window.grab().save(QString::fromStdString(out.string()), "PNG"));
  std::cout << "screenshot: " << out.string() << "\n";

  // The Image panel: five levels with their downsamples, and why there is no magnification.
  QTreeWidget* panel = window.imageInfoPanel()->table();  // (other docks hold trees too)
  ASSERT_NE(panel, nullptr);
  QStringList rows;
  for (int i = 0; i < panel->topLevelItemCount(); ++i)
    rows << panel->topLevelItem(i)->text(0) + ": " + panel->topLevelItem(i)->text(1);
  EXPECT_TRUE(rows.contains(QStringLiteral("Level 4: 256 × 256 (÷16)"))) << rows.join("\n").toStdString();
  EXPECT_TRUE(rows.contains(QStringLiteral("Scan magnification: unknown (no µm per pixel recorded)")))
      << rows.join("\n").toStdString();

  ASSERT_TRUE(window.openPath(std::filesystem::path(MERIDIAN_TEST_DEMO_DATA) / "fundus-retina.jpg").ok());
  EXPECT_FALSE(window.slideViewer()->hasSlide()) << "the slide stays open behind a 2D image";
  EXPECT_NE(window.currentViewer(), window.slideViewer());
}
