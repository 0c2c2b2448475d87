// GoogleTest main for tests that need a QApplication with an OpenGL-capable display.
// Settings (QSettings: preferences, recent projects, the slide cache size) go to a fresh
// temporary folder, never to the user's ~/.config: XDG_CONFIG_HOME is pointed there before
// the application starts, and the organisation name is the test's own.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QSettings>
#include <QTemporaryDir>

#include "meridian/viewers/VtkRenderWidget.hpp"

int main(int argc, char** argv) {
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
