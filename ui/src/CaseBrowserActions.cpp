// CaseBrowser's menu actions: File ▸ New / Open / Recent project, Check project files, Add files
// or a folder; Edit ▸ Undo / Redo with the step named. (The dock itself is CaseBrowser.cpp.)
#include "meridian/ui/CaseBrowser.hpp"

#include <QAction>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>

#include "meridian/ui/PreferencesStore.hpp"

namespace meridian::ui {
namespace {
QString q(const std::string& text) { return QString::fromStdString(text); }
}  // namespace

void CaseBrowser::installActions(QMenu* file, QMenu* edit) {
  const auto warnIfFailed = [this](const core::Status& status, const QString& title) {
    if (!status) QMessageBox::warning(window(), title, q(status.error().message));
  };
  file->addAction(tr("&New project…"), this, [this, warnIfFailed] {
        const QString dir = QFileDialog::getExistingDirectory(window(), tr("Folder for the new project"));
        if (!dir.isEmpty()) warnIfFailed(newProject(dir.toStdString()), tr("Cannot create the project"));
      })->setObjectName(QStringLiteral("newProjectAction"));
  file->addAction(tr("Open &project…"), this, [this, warnIfFailed] {
        const QString dir = QFileDialog::getExistingDirectory(window(), tr("Open a project folder"));
        if (!dir.isEmpty()) warnIfFailed(openProject(dir.toStdString()), tr("Cannot open the project"));
      })->setObjectName(QStringLiteral("openProjectAction"));
  QMenu* recent = file->addMenu(tr("&Recent projects"));
  recent->setObjectName(QStringLiteral("recentProjectsMenu"));
  connect(recent, &QMenu::aboutToShow, this, [this, recent, warnIfFailed] {
    recent->clear();
    for (const QString& folder : recentProjects())
      recent->addAction(folder, this, [this, folder, warnIfFailed] {
        warnIfFailed(openProject(folder.toStdString()), tr("Cannot open the project"));
      });
    if (recent->isEmpty()) recent->addAction(tr("(none yet)"))->setEnabled(false);
  });
  file->addAction(tr("&Check project files"), this, [this] {
    if (store_) checkFiles();
    else Q_EMIT statusMessage(tr("Open a project first"));
  });
  file->addAction(tr("&Add files to project…"), this, [this, warnIfFailed] {
    std::vector<std::filesystem::path> paths;
    for (const QString& f : QFileDialog::getOpenFileNames(window(), tr("Add files to the project"))) paths.emplace_back(f.toStdString());
    if (paths.empty()) return;
    if (auto job = addPaths(paths); !job) warnIfFailed(job.error(), tr("Cannot add"));
  });
  file->addAction(tr("Add f&older to project…"), this, [this, warnIfFailed] {
    const QString dir = QFileDialog::getExistingDirectory(window(), tr("Add a folder to the project"));
    if (dir.isEmpty()) return;
    if (auto job = addPaths({dir.toStdString()}); !job) warnIfFailed(job.error(), tr("Cannot add"));
  });

  QAction* undoAction = edit->addAction(tr("&Undo"), QKeySequence::Undo, this, [this] {
    const QString what = q(undo_ ? undo_->undoText() : "");
    const auto status = undo();
    Q_EMIT statusMessage(status ? tr("Undone: %1").arg(what) : q(status.error().message));
  });
  QAction* redoAction = edit->addAction(tr("&Redo"), QKeySequence::Redo, this, [this] {
    const QString what = q(undo_ ? undo_->redoText() : "");
    const auto status = redo();
    Q_EMIT statusMessage(status ? tr("Redone: %1").arg(what) : q(status.error().message));
  });
  undoAction->setObjectName(QStringLiteral("undoAction"));
  redoAction->setObjectName(QStringLiteral("redoAction"));
  const auto syncUndo = [this, undoAction, redoAction] {
    const bool canUndo = undo_ && undo_->canUndo(), canRedo = undo_ && undo_->canRedo();
    undoAction->setEnabled(canUndo);
    redoAction->setEnabled(canRedo);
    undoAction->setText(canUndo ? tr("&Undo %1").arg(q(undo_->undoText())) : tr("&Undo"));
    redoAction->setText(canRedo ? tr("&Redo %1").arg(q(undo_->redoText())) : tr("&Redo"));
  };
  connect(this, &CaseBrowser::undoChanged, this, syncUndo);
  syncUndo();
}

}  // namespace meridian::ui
