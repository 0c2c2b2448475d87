#pragma once
// The workstation's main window. It only assembles the parts, each a Qt-free piece of logic
// with its own tests plus a thin Qt part that installs its dock, bar or actions:
//
//   ViewerStack     the three viewers behind viewers::ViewerHost (ViewerKind, OverlayFit)
//   ContentOpener   files, folders, DICOM series (ContentRouting, FolderListing, ImageInfo)
//   FilesPanel      the "Files" dock (FolderListing)
//   ImageInfoPanel  the "Image" dock (ImageInfo)
//   SliceBar        the "Slice" bar for colour frame stacks
//   WindowStatus    messages, the on-screen viewer's readout (StatusReadout), device,
//                   memory and jobs
//   OverlayPanel    the "Tools & overlays" dock (viewers/)
//   CaseBrowser     the "Cases" dock: the project's cases, labels, undo/redo (CaseTree)
//   ExportMenu      File ▸ Export: reports, CSV, GeoJSON, SR, de-identified copies as jobs
//                   (ExportChoices; the exports are core/report's, shared with meridian-cli)
//   CaseAnnotations the open case's region annotations, kept in the project with undo/redo
//   JobsPanel       the "Jobs" dock: the one job runner's jobs (JobText)
//   TrainingPanel   the "Training" dock: train on the project's labels, accept (TrainingCharts)
//   LabelsPanel     the "Labels" dock: classes on keys 1-9, counts, next unlabelled (Labelling)
//   ReviewPanel     the "Review" dock: the prediction queue, accept/reject/correct (ReviewQueue)
//   PreferencesStore  preferences and recent projects in QSettings (Preferences)
//   WindowDrops     files and folders dropped on the window (DropRouting)
//   ModelPanel      the "Model" dock: card, runs, results, curve, explanations (ModelResults,
//                   the model service opened on first use)
//
// The accessors below are for tests and for `meridian --open ... --overlay ... --screenshot`.

#include <QMainWindow>
#include <filesystem>
#include <memory>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/project/ProjectRecords.hpp"
#include "meridian/ui/Preferences.hpp"
#include "meridian/viewers/ViewerKind.hpp"

class QCloseEvent;
class QListWidget;

namespace meridian::viewers {
class ImageViewer2D;
class OverlayPanel;
class SlideViewer;
class VolumeViewer;
}  // namespace meridian::viewers
namespace meridian::io {
struct DicomSeriesInfo;
}

namespace meridian::ui {

class CaseAnnotations;
class CaseBrowser;
class TrainingPanel;
class ContentOpener;
class ExportMenu;
class JobsPanel;
class FilesPanel;
class ModelPanel;
class ImageInfoPanel;
class SliceBar;
class ViewerStack;
class WindowStatus;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // --- opening (ContentOpener) ------------------------------------------------------------
  /// Opens an image, volume or slide in the viewer for it. On failure the previous content
  /// stays and the error is returned (and shown in the status bar).
  core::Status openPath(const std::filesystem::path& path);
  /// Lists a folder in the Files panel and opens the first entry that opens.
  core::Status openFolder(const std::filesystem::path& folder);
  /// Loads a DICOM series as a volume; warnings go to the Image panel and the status bar.
  core::Status openSeries(const io::DicomSeriesInfo& series);
  /// openFolder() for folders, openPath() for files.
  core::Status open(const std::filesystem::path& path);
  /// Files and folders dropped on the window: added to the open project (an import job),
  /// else the first opened (DropRouting.hpp).
  void openDropped(const std::vector<std::filesystem::path>& paths);

  // --- viewers (ViewerStack) --------------------------------------------------------------
  viewers::ImageViewer2D* viewer() const;
  viewers::VolumeViewer* volumeViewer() const;
  viewers::SlideViewer* slideViewer() const;
  /// The viewer on screen, as a widget and as a kind.
  QWidget* currentViewer() const;
  viewers::ViewerKind currentViewerKind() const;
  /// Hands a heatmap to the viewer on screen; refused with the reason when it does not fit.
  core::Status setHeatmapOnCurrentViewer(core::Volume map);
  /// Reads a label map and hands it, fitted by the Qt-free rules (OverlayFit.hpp), to the
  /// viewer on screen. Refused, with the reason, otherwise.
  core::Status loadLabelMapOnCurrentViewer(const std::filesystem::path& file);
  viewers::OverlayPanel* overlayPanel() const { return overlayPanel_; }

  /// Axial slice of the open volume (frame of a frame stack); -1 for 2D images and slides.
  int currentSlice() const;
  void showSlice(int k);

  // --- panels -----------------------------------------------------------------------------
  QListWidget* fileList() const;
  /// The DICOM series listed in the Files panel (after the plain files).
  const std::vector<io::DicomSeriesInfo>& series() const;
  FilesPanel* filesPanel() const { return files_; }
  ImageInfoPanel* imageInfoPanel() const { return info_; }
  WindowStatus* windowStatus() const { return status_; }
  CaseBrowser* caseBrowser() const { return cases_; }
  CaseAnnotations* caseAnnotations() const { return caseAnnotations_; }
  JobsPanel* jobsPanel() const { return jobs_; }
  ExportMenu* exportMenu() const { return exports_; }
  ModelPanel* modelPanel() const { return model_; }

  // --- project (CaseBrowser) ----------------------------------------------------------------
  core::Status newProject(const std::filesystem::path& folder);
  core::Status openProject(const std::filesystem::path& folder);
  /// Opens a case of the project in the viewer for its kind.
  core::Status openCase(const project::CaseRecord& record);
  const Preferences& preferences() const { return preferences_; }
  /// Saves the preferences and makes them take effect at once: threads (jobs at once, the
  /// DICOM readers' threads, the slide tile readers), the slide tile cache, the thumbnail
  /// size, and the reviewer name (recorded as the project's actor, ProjectStore::actor()).
  /// The device is shown in the status bar; the model panel uses it.
  void setPreferences(const Preferences& preferences);

 public Q_SLOTS:
  void openWithDialog();
  void saveScreenshotWithDialog();
  /// The one status-message slot every part reports to.
  void showStatusMessage(const QString& text);

 protected:
  /// Refused while a file is being read (it would be cut off half-way; see BackgroundTask.hpp).
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  /// Makes the preferences take effect (threads, caches, reviewer, device shown).
  void applyPreferences();
  void projectOpened(const QString& folder);
  void warnIfFailed(const core::Status& status, const QString& title);

  ViewerStack* viewers_ = nullptr;
  FilesPanel* files_ = nullptr;
  ImageInfoPanel* info_ = nullptr;
  SliceBar* sliceBar_ = nullptr;
  WindowStatus* status_ = nullptr;
  viewers::OverlayPanel* overlayPanel_ = nullptr;
  ContentOpener* opener_ = nullptr;
  JobsPanel* jobs_ = nullptr;
  CaseBrowser* cases_ = nullptr;
  ExportMenu* exports_ = nullptr;
  CaseAnnotations* caseAnnotations_ = nullptr;
  ModelPanel* model_ = nullptr;
  TrainingPanel* training_ = nullptr;
  Preferences preferences_;
};

}  // namespace meridian::ui
