#pragma once
// Preferences (Preferences.hpp) and recent projects kept in QSettings -- the application's
// (organisation/application names set in main), which tests point at a temporary folder
// (XDG_CONFIG_HOME, see tests/ui/GuiTestMain.cpp) so no test writes a user's settings.
// PreferencesDialog edits them.

#include <QDialog>
#include <QStringList>

#include "meridian/ui/ModelResults.hpp"
#include "meridian/ui/Preferences.hpp"

class QCheckBox;
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
  /// `offer`: the devices and bf16 this machine's LibTorch offers (ModelResults.hpp); null
  /// when unknown (the model core could not be opened): then only "cpu", and no bf16.
  explicit PreferencesDialog(const Preferences& current, const DeviceOffer* offer = nullptr, QWidget* parent = nullptr);
  Preferences preferences() const;

 private:
  QComboBox* device_ = nullptr;
  QCheckBox* bf16_ = nullptr;
  QSpinBox* threads_ = nullptr;
  QSpinBox* slideCache_ = nullptr;
  QSpinBox* thumbnailSide_ = nullptr;
  QLineEdit* reviewer_ = nullptr;
};

}  // namespace meridian::ui
