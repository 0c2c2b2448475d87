#include "meridian/service/ReportCard.hpp"
#include "meridian/ui/MainWindow.hpp"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

#include <thread>

#include "BackgroundTask.hpp"
#include "ScrolledDockBody.hpp"
#include "meridian/core/ParallelFor.hpp"
#include "meridian/io/MapReader.hpp"
#include "meridian/service/ModelServiceLoader.hpp"
#include "meridian/ui/CaseAnnotations.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/CaseFileChecks.hpp"
#include "meridian/ui/ContentOpener.hpp"
#include "meridian/ui/ContentRouting.hpp"
#include "meridian/ui/AuditDialog.hpp"
#include "meridian/ui/ExportMenu.hpp"
#include "meridian/ui/PacsDialog.hpp"
#include "meridian/ui/JobsPanel.hpp"
#include "meridian/ui/LabelsPanel.hpp"
#include "meridian/ui/ReviewPanel.hpp"
#include "meridian/ui/PreferencesStore.hpp"
#include "meridian/ui/FilesPanel.hpp"
#include "meridian/ui/ImageInfoPanel.hpp"
#include "meridian/ui/ModelPanel.hpp"
#include "meridian/ui/SliceBar.hpp"
#include "meridian/ui/DropRouting.hpp"
#include "meridian/ui/TrainingPanel.hpp"
#include "meridian/ui/ViewerStack.hpp"
#include "meridian/ui/WindowDrops.hpp"
#include "meridian/ui/WindowStatus.hpp"
#include "meridian/viewers/OverlayPanel.hpp"
#include "meridian/viewers/OverlayTarget.hpp"
#include "meridian/viewers/SlideViewer.hpp"

namespace meridian::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(QStringLiteral("Meridian"));
  viewers_ = new ViewerStack(this);
  setCentralWidget(viewers_);
  info_ = new ImageInfoPanel(this);
  addDockWidget(Qt::RightDockWidgetArea, info_);
  files_ = new FilesPanel(this);
  addDockWidget(Qt::LeftDockWidgetArea, files_);
  // Tools and overlays of whichever viewer is on screen.
  overlayPanel_ = new viewers::OverlayPanel(viewers_->current().overlayTarget(), this);
  auto* overlayDock = new QDockWidget(tr("Tools & overlays"), this);
  overlayDock->setObjectName(QStringLiteral("overlayDock"));
  // Scrolled like the docks it is tabbed with: unscrolled, its ~530 px of tools set the column's
  // minimum and left the Image/Model/Training tabs above it ~60 px (ScrolledDockBody.hpp).
  overlayDock->setWidget(scrolledDockBody(overlayPanel_, overlayDock));
  addDockWidget(Qt::RightDockWidgetArea, overlayDock);
  sliceBar_ = new SliceBar(this);
  addToolBar(sliceBar_);
  preferences_ = loadPreferences();
  status_ = new WindowStatus(statusBar(), tr("Device: %1").arg(QString::fromStdString(preferences_.device)));
  opener_ = new ContentOpener(this, *viewers_, *files_, *info_, *sliceBar_);
  jobs_ = new JobsPanel(2, this);
  addDockWidget(Qt::BottomDockWidgetArea, jobs_);
  cases_ = new CaseBrowser(*jobs_, this);
  addDockWidget(Qt::LeftDockWidgetArea, cases_);
  // The viewer keeps the room it had: Cases shares a tab with Files (raised when a project
  // opens), and Jobs appears when there is a job.
  caseAnnotations_ = new CaseAnnotations(*cases_, *viewers_, this);
  connect(caseAnnotations_, &CaseAnnotations::statusMessage, this, &MainWindow::showStatusMessage);
  // Content that replaces the case on screen (File ▸ Open, another case) ends its shapes' saving.
  connect(opener_, &ContentOpener::contentReplaced, caseAnnotations_, &CaseAnnotations::unbind);
  tabifyDockWidget(files_, cases_);
  files_->raise();
  jobs_->hide();
  model_ = new ModelPanel(*jobs_, *cases_, *viewers_, this);  // after cases_: it opens a case first
  addDockWidget(Qt::RightDockWidgetArea, model_);
  tabifyDockWidget(info_, model_);
  training_ = new TrainingPanel(*cases_, *jobs_, this);  // the project's labels -> a model (Training dock)
  addDockWidget(Qt::RightDockWidgetArea, training_);
  tabifyDockWidget(info_, training_);
  info_->raise();
  connect(training_, &TrainingPanel::statusMessage, this, &MainWindow::showStatusMessage);
  applyPreferences();
  connect(jobs_, &JobsPanel::activityChanged, status_, &WindowStatus::setJobs);
  connect(jobs_, &JobsPanel::activityChanged, this, [this](int running, int queued) {
    if (running + queued > 0) jobs_->show();
  });
  connect(jobs_, &JobsPanel::statusMessage, this, &MainWindow::showStatusMessage);
  connect(cases_, &CaseBrowser::statusMessage, this, &MainWindow::showStatusMessage);
  connect(cases_, &CaseBrowser::openCaseRequested, this,
          [this](const project::CaseRecord& record) { warnIfFailed(openCase(record), tr("Cannot open")); });
  connect(cases_, &CaseBrowser::projectChanged, this, &MainWindow::projectOpened);
  connect(model_, &ModelPanel::statusMessage, this, &MainWindow::showStatusMessage);
  connect(model_, &ModelPanel::sliceRequested, this, &MainWindow::showSlice);
  connect(model_, &ModelPanel::deviceChanged, status_, [this](const QString& d) { status_->setDevice(tr("Device: %1").arg(d)); });
  // Labels and Review are tabs beside the tools (the tall dock); their keys work whichever is in front.
  auto* labels = new LabelsPanel(*cases_, this);
  auto* review = new ReviewPanel(*cases_, this);
  for (QDockWidget* dock : {static_cast<QDockWidget*>(labels), static_cast<QDockWidget*>(review)}) tabifyDockWidget(overlayDock, dock);
  overlayDock->raise();  // the tools stay in front, as before
  // The Image tab needs a few rows, so the right column starts with the tools tall and the
  // Image/Model/Training tabs short; the Model dock (card, results table, curve) and the
  // Training dock (settings, charts) need the room: brought to the front, they take 60% of
  // the column unless the user has made them that tall already.
  for (QDockWidget* tall : {static_cast<QDockWidget*>(model_), static_cast<QDockWidget*>(training_)}) {
    connect(tall, &QDockWidget::visibilityChanged, this, [this, tall, overlayDock](bool visible) {
      const int column = tall->height() + overlayDock->height();
      if (!visible || tall->isFloating() || overlayDock->isFloating() || tall->height() >= column / 2) return;
      resizeDocks({tall, overlayDock}, {column * 3 / 5, column - column * 3 / 5}, Qt::Vertical);
    });
  }
  connect(labels, &LabelsPanel::statusMessage, this, &MainWindow::showStatusMessage);
  connect(review, &ReviewPanel::statusMessage, this, &MainWindow::showStatusMessage);

  // One status-message signal name everywhere, one slot here.
  connect(viewers_, &ViewerStack::statusMessage, this, &MainWindow::showStatusMessage);
  connect(overlayPanel_, &viewers::OverlayPanel::statusMessage, this, &MainWindow::showStatusMessage);
  connect(opener_, &ContentOpener::statusMessage, this, &MainWindow::showStatusMessage);
  connect(opener_, &ContentOpener::titleChanged, this,
          [this](const QString& title) { setWindowTitle(tr("%1 — Meridian").arg(title)); });
  connect(opener_, &ContentOpener::contentReplaced, status_, &WindowStatus::forgetReadout);
  connect(viewers_, &ViewerStack::readoutChanged, status_, &WindowStatus::updateReadout);
  connect(viewers_, &ViewerStack::currentViewerChanged, this, [this](viewers::ViewerKind kind) {
    overlayPanel_->setTarget(viewers_->host(kind).overlayTarget());  // the panel acts on what is on screen
    status_->setCurrentViewer(kind);
  });
  connect(viewers_, &ViewerStack::heatmapChanged, overlayPanel_, &viewers::OverlayPanel::syncHeatmap);
  connect(files_, &FilesPanel::openRequested, this,
          [this](int row) { warnIfFailed(opener_->openEntry(row), tr("Cannot open")); });
  connect(overlayPanel_, &viewers::OverlayPanel::loadMapRequested, this, [this](const QString& file) {
    auto map = runKeepingUiAlive(this, tr("Reading %1…").arg(file), [&] { return io::readMap(file.toStdString()); });
    const core::Status status = map ? setHeatmapOnCurrentViewer(std::move(map).value()) : core::Status(map.error());
    showStatusMessage(status ? tr("Heatmap %1").arg(file) : QString::fromStdString(status.error().message));
    warnIfFailed(status, tr("Heatmap refused"));
  });
  connect(overlayPanel_, &viewers::OverlayPanel::loadLabelMapRequested, this, [this](const QString& file) {
    const core::Status status = loadLabelMapOnCurrentViewer(file.toStdString());
    showStatusMessage(status ? tr("Label map %1").arg(file) : QString::fromStdString(status.error().message));
    warnIfFailed(status, tr("Label map refused"));
  });
  connect(new WindowDrops(this), &WindowDrops::dropped, this, &MainWindow::openDropped);
  buildMenus();
  showStatusMessage(tr("Open an image, volume or slide with File ▸ Open."));
}

// The case browser's jobs write into its project: it closes the project (ending them) while
// the jobs panel still exists.
MainWindow::~MainWindow() {
  delete caseAnnotations_;  // it reads the case browser's store while the viewers go
  delete cases_;
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::openWithDialog);
  file->addAction(tr("Open &folder…"), this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open folder"));
    if (!dir.isEmpty()) warnIfFailed(openFolder(dir.toStdString()), tr("Cannot open"));
  });
  file->addAction(tr("Save &screenshot…"), this, &MainWindow::saveScreenshotWithDialog);
  file->addSeparator();
  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  cases_->installActions(file, edit);  // projects, adding cases, undo/redo
  exports_ = new ExportMenu(*cases_, *jobs_, this);
  exports_->install(file);
  exports_->setModelCardSource([this]() -> std::optional<report::ModelCardSummary> {
    if (auto card = model_->card()) return service::reportCardOf(*card);
    return std::nullopt;
  });
  connect(exports_, &ExportMenu::statusMessage, this, &MainWindow::showStatusMessage);
  // File ▸ PACS… and File ▸ Audit trail…: made once, hidden until asked for (their tables stay
  // between openings); tests find them by object name ("pacsDialog", "auditDialog").
  auto* pacs = new PacsDialog(*cases_, *jobs_, this);
  connect(pacs, &PacsDialog::statusMessage, this, &MainWindow::showStatusMessage);
  file->addAction(tr("&PACS…"), this, [pacs] {
    pacs->show();
    pacs->raise();
  });
  auto* audit = new AuditDialog(*cases_, *jobs_, this);
  file->addAction(tr("A&udit trail…"), this, [audit] {
    (void)audit->reload();
    audit->show();
    audit->raise();
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
  edit->addSeparator();
  edit->addAction(tr("&Preferences…"), this, [this] {
    auto offer = model_->deviceOffer();  // opens the model core on first use
    PreferencesDialog dialog(preferences_, offer ? &offer.value() : nullptr, this);
    if (dialog.exec() == QDialog::Accepted) setPreferences(dialog.preferences());
  });
  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("&Reset view"), QKeySequence(Qt::Key_R), viewers_, &ViewerStack::resetView);
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Meridian"), this, [this] {
    QMessageBox::about(this, tr("About Meridian"),
                       tr("<b>Meridian %1</b><p>Clinical research workstation: CT volumes, whole slides and 2D "
                          "images with an embedded vision-transformer foundation model.</p>")
                           .arg(QStringLiteral(MERIDIAN_VERSION)));
  });
}

core::Status MainWindow::newProject(const std::filesystem::path& folder) { return cases_->newProject(folder); }
core::Status MainWindow::openProject(const std::filesystem::path& folder) { return cases_->openProject(folder); }

void MainWindow::projectOpened(const QString& folder) {
  cases_->raise();
  setWindowTitle(tr("%1 — Meridian").arg(QString::fromStdString(std::filesystem::path(folder.toStdString()).filename().string())));
  showStatusMessage(tr("Project %1").arg(folder));
}

core::Status MainWindow::openCase(const project::CaseRecord& record) {
  std::error_code ec;
  const std::filesystem::path first = std::filesystem::path(record.files.empty() ? record.path : record.files.front().path);
  if (!std::filesystem::exists(first, ec)) {
    const core::Error missing{core::ErrorCode::NotFound, first.string() + ": this case's file is missing (moved or deleted since it was added)"};
    showStatusMessage(QString::fromStdString(missing.message));
    return missing;
  }
  if (const project::CaseCheck* problem = cases_->fileChecks().problem(record.id)) {
    // Its labels, annotations and predictions were made on the file as it was: never
    // re-read it silently.
    if (problem->state == project::FileState::Missing) return core::Error{core::ErrorCode::NotFound, problem->detail};
    QMessageBox ask(QMessageBox::Warning, tr("The case's file changed"),
                    tr("%1\n\nIts labels, annotations and predictions were made on the file as it was added. Open "
                       "it anyway?")
                        .arg(QString::fromStdString(problem->detail)),
                    QMessageBox::Open | QMessageBox::Cancel, this);
    ask.setObjectName(QStringLiteral("changedCaseWarning"));
    ask.setDefaultButton(QMessageBox::Cancel);
    if (ask.exec() != QMessageBox::Open) {
      showStatusMessage(tr("Not opened: %1").arg(QString::fromStdString(problem->detail)));
      return core::Ok{};
    }
  }
  caseAnnotations_->unbind();
  auto opened = opensAsSeries(record) ? opener_->openSeries(seriesOf(record)) : opener_->openPath(first);
  if (!opened) return opened;
  return caseAnnotations_->bind(record.id);  // the case's stored shapes, and what is drawn from now on
}

void MainWindow::setPreferences(const Preferences& preferences) {
  preferences_ = sanitized(preferences);
  savePreferences(preferences_);
  applyPreferences();
}

void MainWindow::applyPreferences() {
  cases_->setReviewer(preferences_.reviewerName);  // the open project's actor (ProjectStore::actor)
  cases_->setThumbnailSide(preferences_.thumbnailSide);
  status_->setDevice(tr("Device: %1").arg(QString::fromStdString(preferences_.device)));
  // Threads: jobs at once, the readers' parallel file reads, the slide viewer's tile reads.
  jobs_->runner().setWorkers(jobWorkers(preferences_));
  core::setParallelThreads(static_cast<unsigned>(preferences_.threads));
  viewers_->slideViewer()->setLoaderThreads(preferences_.threads);
  viewers_->slideViewer()->setCacheCapacityMB(preferences_.slideCacheMB);
  model_->setDevice(preferences_.device, preferences_.bf16);
  // Model jobs leave the UI thread a core (LibTorch and OpenBLAS would take them all).
  service::setComputeThreads(modelThreads(preferences_, std::thread::hardware_concurrency()));
}

void MainWindow::openDropped(const std::vector<std::filesystem::path>& paths) {
  const DropPlan plan = planDrop(paths, cases_->store() != nullptr);
  if (plan.action == DropPlan::Action::AddToProject) {
    if (auto job = cases_->addPaths(plan.paths); !job) warnIfFailed(job.error(), tr("Cannot add"));
  } else if (plan.action == DropPlan::Action::Open) {
    warnIfFailed(open(plan.paths.front()), tr("Cannot open"));
    if (!plan.note.empty()) showStatusMessage(QString::fromStdString(plan.note));
  }
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (property(kReadingProperty).toBool()) {
    showStatusMessage(tr("Still reading a file: close again when it is open."));
    event->ignore();
    return;
  }
  QMainWindow::closeEvent(event);
}

void MainWindow::showStatusMessage(const QString& text) { status_->showStatusMessage(text); }

void MainWindow::warnIfFailed(const core::Status& status, const QString& title) {
  if (!status) QMessageBox::warning(this, title, QString::fromStdString(status.error().message));
}

core::Status MainWindow::openPath(const std::filesystem::path& path) { return opener_->openPath(path); }
core::Status MainWindow::openFolder(const std::filesystem::path& folder) { return opener_->openFolder(folder); }
core::Status MainWindow::openSeries(const io::DicomSeriesInfo& series) { return opener_->openSeries(series); }
core::Status MainWindow::open(const std::filesystem::path& path) { return opener_->open(path); }

viewers::ImageViewer2D* MainWindow::viewer() const { return viewers_->imageViewer(); }
viewers::VolumeViewer* MainWindow::volumeViewer() const { return viewers_->volumeViewer(); }
viewers::SlideViewer* MainWindow::slideViewer() const { return viewers_->slideViewer(); }
QWidget* MainWindow::currentViewer() const { return viewers_->current().widget(); }
viewers::ViewerKind MainWindow::currentViewerKind() const { return viewers_->currentKind(); }
core::Status MainWindow::setHeatmapOnCurrentViewer(core::Volume map) { return viewers_->setHeatmap(std::move(map)); }
core::Status MainWindow::loadLabelMapOnCurrentViewer(const std::filesystem::path& file) {
  return viewers_->loadLabelMap(file);
}
int MainWindow::currentSlice() const { return opener_->currentSlice(); }
void MainWindow::showSlice(int k) { opener_->showSlice(k); }
QListWidget* MainWindow::fileList() const { return files_->list(); }
const std::vector<io::DicomSeriesInfo>& MainWindow::series() const { return files_->listing().series; }

void MainWindow::openWithDialog() {
  const QString file = QFileDialog::getOpenFileName(
      this, tr("Open image"), QString(),
      tr("Images (*.dcm *.nii *.nii.gz *.nrrd *.mha *.mhd *.png *.jpg *.jpeg *.tif *.tiff *.bmp *.svs *.ndpi *.mrxs "
         "*.scn *.vms *.vmu *.bif);;All files (*)"));
  if (!file.isEmpty()) warnIfFailed(openPath(file.toStdString()), tr("Cannot open"));
}

void MainWindow::saveScreenshotWithDialog() {
  const QString file = QFileDialog::getSaveFileName(this, tr("Save screenshot"), QStringLiteral("meridian.png"),
                                                    tr("PNG (*.png)"));
  if (file.isEmpty()) return;
  if (!grab().save(file, "PNG")) QMessageBox::warning(this, tr("Cannot save"), tr("Could not write %1").arg(file));
}

}  // namespace meridian::ui
