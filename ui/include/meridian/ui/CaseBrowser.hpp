#pragma once
// The "Cases" dock: the open project's cases as a tree (CaseTree.hpp: patient -> study ->
// series for DICOM, then slides, 2D images, other volumes) with thumbnails made by a job
// and cached in the project, filters (kind, label, reviewed, has prediction), "Add files",
// "Add folder" and drag and drop (an import job), image-level labels with undo/redo
// (project::UndoStack), next/previous case, and a ⚠ on cases whose file moved or changed
// (CaseFileChecks). Selecting a case asks the window to open
// it (openCaseRequested); the window opens it in the viewer for its kind.

#include <QDockWidget>

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/core/JobRunner.hpp"
#include "meridian/project/EditCommands.hpp"
#include "meridian/project/ProjectStore.hpp"

class QComboBox;
class QMenu;
class QDragEnterEvent;
class QDropEvent;
class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace meridian::ui {

class CaseFileChecks;
class JobsPanel;

class CaseBrowser : public QDockWidget {
  Q_OBJECT
 public:
  CaseBrowser(JobsPanel& jobs, QWidget* parent = nullptr);
  ~CaseBrowser() override;

  /// Installs its actions in the window's menus: File ▸ New project, Open project, Recent
  /// projects, Add files / folder to project; Edit ▸ Undo, Redo (Ctrl+Z, Ctrl+Shift+Z).
  void installActions(QMenu* fileMenu, QMenu* editMenu);

  /// Makes `folder` a new project and shows it (empty).
  core::Status newProject(const std::filesystem::path& folder);
  /// Opens a project (read-write; read-only when another window holds it, which the title says).
  core::Status openProject(const std::filesystem::path& folder);
  void closeProject();
  project::ProjectStore* store() const { return store_.get(); }

  /// Imports files, folders, series into the project as a job; the tree refreshes (and
  /// thumbnails are made) when it ends. Returns the job id, or an error with no project.
  core::Result<core::JobId> addPaths(const std::vector<std::filesystem::path>& paths);

  /// Re-hashes every case's files as a job (done when a project opens, and by File ▸ Check
  /// project files); cases whose file moved or changed get a ⚠ and the reason as a tooltip.
  void checkFiles();
  const CaseFileChecks& fileChecks() const { return *fileChecks_; }

  /// Re-reads the cases (with the filters) into the tree.
  void refresh();
  /// Selects a case and asks the window to open it.
  void selectCase(project::CaseId id);
  std::optional<project::CaseId> currentCase() const { return current_; }
  /// Next / previous case in tree order (Alt+Down / Alt+Up).
  void nextCase();
  void previousCase();

  /// Image-level labels on the current case, through the undo stack.
  core::Status addLabel(const std::string& className);
  core::Status removeLabel(const std::string& className);
  core::Status undo();
  core::Status redo();
  /// Applies an edit (committed at once) and puts it on the undo stack: labels here, region
  /// annotations (CaseAnnotations), review decisions and class renames (ReviewPanel, LabelsPanel).
  core::Status applyEdit(std::unique_ptr<project::EditCommand> command);
  const project::UndoStack* undoStack() const { return undo_.get(); }

  void setReviewer(const std::string& name);
  void setThumbnailSide(int side) { thumbnailSide_ = side; }
  QTreeWidget* tree() const { return tree_; }
  /// Case ids in the order shown.
  const std::vector<project::CaseId>& order() const { return order_; }
  /// Thumbnails shown in the tree (made or loaded from the project's cache).
  int thumbnailsShown() const;

 Q_SIGNALS:
  void openCaseRequested(meridian::project::CaseRecord record);
  void projectChanged(QString folder);
  void undoChanged();
  void statusMessage(QString text);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  project::CaseFilter filter() const;
  void makeThumbnails();
  void showThumbnails();
  QTreeWidgetItem* itemOf(project::CaseId id) const;

  JobsPanel& jobs_;
  CaseFileChecks* fileChecks_ = nullptr;
  std::unique_ptr<project::ProjectStore> store_;
  std::unique_ptr<project::UndoStack> undo_;
  QTreeWidget* tree_ = nullptr;
  QComboBox* kindFilter_ = nullptr;
  QComboBox* reviewedFilter_ = nullptr;
  QComboBox* predictionFilter_ = nullptr;
  QLineEdit* labelFilter_ = nullptr;
  QLineEdit* labelEdit_ = nullptr;
  std::vector<project::CaseId> order_;
  std::optional<project::CaseId> current_;
  int thumbnailSide_ = 256;
  std::string reviewer_;
};

}  // namespace meridian::ui
