#pragma once
// The "Labels" dock: the project's image-level label classes with their keys and counts
// (Labelling.hpp decides keys, toggling, counts and the walk to unlabelled cases).
//   1..9       label the current case with class 1..9; pressed again, remove that label
//   N, Shift+N next / previous case that has no label yet (opened in its viewer)
// Labels go through the case browser's undo stack (Ctrl+Z / Ctrl+Shift+Z), as do class
// renames; adding a class only makes it available (classes are never deleted, so there is
// nothing to undo). The keys are window shortcuts: they work while a viewer has the focus,
// not while a text field does.

#include <QDockWidget>

#include <string>

#include "meridian/core/Result.hpp"
#include "meridian/ui/Labelling.hpp"

class QLabel;
class QLineEdit;
class QListWidget;

namespace meridian::ui {

class CaseBrowser;

class LabelsPanel : public QDockWidget {
  Q_OBJECT
 public:
  LabelsPanel(CaseBrowser& cases, QWidget* parent = nullptr);

  /// Number key 1..9 on the current case: add that class's label, or remove it when the case has it.
  core::Status toggleKey(int key);
  core::Status toggleClass(const std::string& className);
  /// A new class (its key is the next free one).
  core::Status addClass(const std::string& name);
  core::Status renameClass(const std::string& from, const std::string& to);
  /// Opens the next / previous case without a label (in the case browser's order).
  core::Status nextUnlabelled();
  core::Status previousUnlabelled();

  /// Re-reads the project (also done on every change the store reports).
  void refresh();
  const LabelSummary& summary() const { return summary_; }
  QListWidget* classList() const { return classes_; }

 Q_SIGNALS:
  void statusMessage(QString text);

 private:
  core::Status stepUnlabelled(int step);
  void report(const core::Status& status, const QString& done);
  void renameWithDialog();

  CaseBrowser& cases_;
  LabelSummary summary_;
  QLabel* caseLine_ = nullptr;
  QListWidget* classes_ = nullptr;
  QLineEdit* newClass_ = nullptr;
  QLabel* unlabelled_ = nullptr;
};

}  // namespace meridian::ui
