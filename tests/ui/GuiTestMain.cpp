// GoogleTest main for tests that need a QApplication with an OpenGL-capable display; each
// process in a folder of its own, the user's settings and logs redirected into it.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QSettings>
#include <QTemporaryDir>

#include "TestSandbox.hpp"
#include "meridian/viewers/VtkRenderWidget.hpp"

int main(int argc, char** argv) {
  // Before QApplication: Qt reads XDG_CONFIG_HOME for QSettings, Meridian its log folder.
  meridian::test::TestSandbox sandbox;
  testing::InitGoogleTest(&argc, argv);
  QTemporaryDir settingsHome(QDir::tempPath() + QStringLiteral("/meridian-test-settings-XXXXXX"));
  qputenv("XDG_CONFIG_HOME", settingsHome.path().toUtf8());
  meridian::viewers::VtkRenderWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("MeridianTest"));
  QApplication::setApplicationName(QStringLiteral("MeridianTest"));
  QSettings::setDefaultFormat(QSettings::IniFormat);
  QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsHome.path());
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsHome.path());
  return RUN_ALL_TESTS();
}
