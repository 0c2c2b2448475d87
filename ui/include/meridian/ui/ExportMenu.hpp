#pragma once
// File ▸ Export: the thin Qt part over ExportChoices (Qt-free): one action per entry, a save or
// folder dialog, then report::exportProject on the open project as a job in the Jobs panel (the
// window stays responsive; Cancel stops it after the case it is on). The result goes to the
// status bar; a failure also to a message box.

#include <QObject>
#include <QString>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "meridian/core/JobRunner.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/report/ReportData.hpp"
#include "meridian/ui/ExportChoices.hpp"

class QMenu;
class QWidget;

namespace meridian::ui {

class CaseBrowser;
class JobsPanel;

class ExportMenu : public QObject {
  Q_OBJECT
 public:
  ExportMenu(CaseBrowser& cases, JobsPanel& jobs, QWidget* window);

  /// Adds the "Export" submenu (disabled while no project is open) to `fileMenu`.
  void install(QMenu* fileMenu);
  QMenu* menu() const { return menu_; }
  /// Where a PDF export finds the card of the loaded model (the Model dock's), so that cases
  /// predicted with it show its training data and metrics; nullopt when no model is loaded.
  void setModelCardSource(std::function<std::optional<report::ModelCardSummary>()> source) {
    cardSource_ = std::move(source);
  }

  /// Runs `choice` into `output` as a job, without a dialog (what the actions do once the person
  /// has chosen; tests call it directly). Fails at once with no project or no case selected.
  core::Result<core::JobId> exportTo(const ExportChoice& choice, const std::filesystem::path& output);

 Q_SIGNALS:
  void statusMessage(QString text);
  /// The job ended: ok, and the line shown in the status bar (or the error).
  void exportFinished(bool ok, QString text);

 private:
  void askAndExport(const ExportChoice& choice);

  CaseBrowser& cases_;
  JobsPanel& jobs_;
  QWidget* window_;
  QMenu* menu_ = nullptr;
  std::function<std::optional<report::ModelCardSummary>()> cardSource_;
};

}  // namespace meridian::ui
