// GoogleTest main for tests that need a QApplication with an OpenGL-capable display.
#include <gtest/gtest.h>

#include <QApplication>

#include "meridian/viewers/VtkRenderWidget.hpp"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  meridian::viewers::VtkRenderWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  return RUN_ALL_TESTS();
}
