#pragma once
// Preferences (Preferences.hpp) and recent projects kept in QSettings -- the application's
// (organisation/application names set in main), which tests point at a temporary folder
// (XDG_CONFIG_HOME, see tests/ui/GuiTestMain.cpp) so no test writes a user's settings.
// PreferencesDialog edits them.

#include <QDialog>
#include <QStringList>

#include "meridian/ui/Preferences.hpp"

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace meridian::ui {

Preferences loadPreferences();
void savePreferences(const Preferences& preferences);
QStringList recentProjects();
void rememberProject(const QString& folder);

class PreferencesDialog : public QDialog {
  Q_OBJECT
 public:
  explicit PreferencesDialog(const Preferences& current, QWidget* parent = nullptr);
  Preferences preferences() const;

 private:
  QComboBox* device_ = nullptr;
  QSpinBox* threads_ = nullptr;
  QSpinBox* slideCache_ = nullptr;
  QSpinBox* thumbnailSide_ = nullptr;
  QLineEdit* reviewer_ = nullptr;
};

}  // namespace meridian::ui
