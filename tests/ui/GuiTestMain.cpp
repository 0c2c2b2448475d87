// GoogleTest main for tests that need a QApplication with an OpenGL-capable display; each
// process in a folder of its own, the user's settings and logs redirected into it.
#include <gtest/gtest.h>

#include <QApplication>

#include "TestSandbox.hpp"
#include "meridian/viewers/VtkRenderWidget.hpp"

int main(int argc, char** argv) {
  // Before QApplication: Qt reads XDG_CONFIG_HOME for QSettings, Meridian its log folder.
  meridian::test::TestSandbox sandbox;
  testing::InitGoogleTest(&argc, argv);
  meridian::viewers::VtkRenderWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  return RUN_ALL_TESTS();
}
