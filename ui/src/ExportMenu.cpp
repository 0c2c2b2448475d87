#include "meridian/ui/ExportMenu.hpp"

#include <QAction>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>

#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/JobsPanel.hpp"

namespace meridian::ui {

ExportMenu::ExportMenu(CaseBrowser& cases, JobsPanel& jobs, QWidget* window)
    : QObject(window), cases_(cases), jobs_(jobs), window_(window) {}

void ExportMenu::install(QMenu* fileMenu) {
  menu_ = fileMenu->addMenu(tr("&Export"));
  menu_->setObjectName(QStringLiteral("exportMenu"));
  for (const ExportChoice& choice : exportChoices())
    menu_->addAction(QString::fromStdString(choice.menuText), this, [this, choice] { askAndExport(choice); });
  menu_->setEnabled(cases_.store() != nullptr);
  connect(&cases_, &CaseBrowser::projectChanged, this, [this] { menu_->setEnabled(cases_.store() != nullptr); });
}

void ExportMenu::askAndExport(const ExportChoice& choice) {
  const QString suggested = QString::fromStdString(suggestedName(choice, cases_.currentCase()));
  const QString output =
      writesOneFile(choice)
          ? QFileDialog::getSaveFileName(window_, tr("Export"), suggested, QString::fromStdString(fileFilter(choice)))
          : QFileDialog::getExistingDirectory(window_, tr("Export into folder"));
  if (output.isEmpty()) return;
  auto started = exportTo(choice, output.toStdString());
  if (!started) QMessageBox::warning(window_, tr("Cannot export"), QString::fromStdString(started.error().message));
}

core::Result<core::JobId> ExportMenu::exportTo(const ExportChoice& choice, const std::filesystem::path& output) {
  project::ProjectStore* store = cases_.store();
  if (store == nullptr) return core::makeError(core::ErrorCode::InvalidArgument, "open a project first");
  auto request = exportRequest(choice, cases_.currentCase(), output, store->folder());
  if (!request) return request.error();
  if (cardSource_)
    if (auto card = cardSource_()) request.value().knownCards.push_back(std::move(*card));
  // The job owns what it reads and writes; the summary comes back through `done`.
  auto summary = std::make_shared<report::ProjectExportSummary>();
  const report::ProjectExportRequest r = request.value();
  const QString title = tr("Export %1").arg(QString::fromStdString(report::toString(r.format)));
  const core::JobId id = jobs_.submit(
      title,
      [store, r, summary](const core::JobControl& job) -> core::Status {
        auto done = report::exportProject(*store, r, &job);
        if (!done) return done.error();
        *summary = std::move(done).value();
        return core::Ok{};
      },
      [this, r, summary](const core::JobStatus& status) {
        const bool ok = status.state == core::JobState::Succeeded;
        const QString text = ok ? QString::fromStdString(exportDoneText(*summary, r))
                                : QString::fromStdString(status.error ? status.error->message : "export failed");
        Q_EMIT statusMessage(text);
        Q_EMIT exportFinished(ok, text);
        if (!ok && status.state != core::JobState::Cancelled) {  // not modal: the job's end may find a dialog open
          auto* box = new QMessageBox(QMessageBox::Warning, tr("Export failed"), text, QMessageBox::Ok, window_);
          box->setAttribute(Qt::WA_DeleteOnClose);
          box->open();
        }
      });
  return id;
}

}  // namespace meridian::ui
