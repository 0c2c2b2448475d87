#include "meridian/ui/MainWindow.hpp"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QSignalBlocker>
#include <QSlider>
#include <QStackedWidget>
#include <QToolBar>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTreeWidget>

#include <algorithm>
#include <set>

#include "BackgroundTask.hpp"
#include "meridian/core/Logging.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/MapReader.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"
#include "meridian/viewers/OverlayPanel.hpp"
#include "meridian/viewers/OverlayTarget.hpp"
#include "meridian/viewers/SlideLabelImage.hpp"
#include "meridian/viewers/SlideViewer.hpp"
#include "meridian/viewers/VolumeViewState.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace meridian::ui {
namespace {
auto log() { return core::logging::get(core::logging::Layer::Ui); }

constexpr int kPathRole = Qt::UserRole;        // a file to open
constexpr int kSeriesRole = Qt::UserRole + 1;  // index into MainWindow::series_

QString joined(const std::vector<std::int64_t>& values) {
  QStringList parts;
  for (auto v : values) parts << QString::number(v);
  return parts.join(QStringLiteral(" × "));
}

std::vector<std::pair<QString, QString>> infoRows(const std::filesystem::path& path, const io::ImageSummary& s) {
  std::vector<std::pair<QString, QString>> rows = {
      {QObject::tr("File"), QString::fromStdString(path.filename().string())},
      {QObject::tr("Kind"), QString::fromLatin1(io::toString(s.kind))},
      {QObject::tr("Format"), QString::fromStdString(s.format)},
      {QObject::tr("Size"), joined(s.size)},
      {QObject::tr("Pixel type"), QStringLiteral("%1 × %2").arg(QString::fromStdString(s.dtype)).arg(s.channels)},
  };
  if (s.spacing) {
    QStringList parts;
    for (double v : *s.spacing) parts << QString::number(v, 'g', 5);
    rows.emplace_back(QObject::tr("Spacing (mm)"), parts.join(QStringLiteral(" × ")));
  }
  if (!s.modality.empty()) rows.emplace_back(QObject::tr("Modality"), QString::fromStdString(s.modality));
  if (s.mpp) rows.emplace_back(QObject::tr("µm per pixel"), QString::number((*s.mpp)[0], 'g', 4));
  if (s.kind == io::ImageKind::Slide) {
    rows.emplace_back(QObject::tr("Scan magnification"),
                      s.mpp ? QString::fromStdString(viewers::formatMagnification((*s.mpp)[0]))
                            : QObject::tr("unknown (no µm per pixel recorded)"));
  }
  for (std::size_t i = 0; i < s.levels.size(); ++i)
    rows.emplace_back(QObject::tr("Level %1").arg(i), QStringLiteral("%1 × %2 (÷%3)")
                                                          .arg(s.levels[i].width)
                                                          .arg(s.levels[i].height)
                                                          .arg(s.levels[i].downsample, 0, 'g', 4));
  return rows;
}
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(QStringLiteral("Meridian"));
  // One viewer per kind of content, stacked: only the current one is visible (and renders).
  viewerStack_ = new QStackedWidget(this);
  setCentralWidget(viewerStack_);
  viewer_ = new viewers::ImageViewer2D(viewerStack_);
  showViewer(viewer_);
  volumeViewer_ = new viewers::VolumeViewer(viewerStack_);
  viewerStack_->addWidget(volumeViewer_);
  slideViewer_ = new viewers::SlideViewer(viewerStack_);
  viewerStack_->addWidget(slideViewer_);
  connect(slideViewer_, &viewers::SlideViewer::statusMessage, this,
          [this](const QString& message) { statusBar()->showMessage(message); });

  infoPanel_ = new QTreeWidget(this);
  infoPanel_->setColumnCount(2);
  infoPanel_->setHeaderLabels({tr("Property"), tr("Value")});
  infoPanel_->setRootIsDecorated(false);
  infoPanel_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  auto* dock = new QDockWidget(tr("Image"), this);
  dock->setObjectName(QStringLiteral("imageInfoDock"));
  dock->setWidget(infoPanel_);
  addDockWidget(Qt::RightDockWidgetArea, dock);

  fileList_ = new QListWidget(this);
  auto* filesDock = new QDockWidget(tr("Files"), this);
  filesDock->setObjectName(QStringLiteral("filesDock"));
  filesDock->setWidget(fileList_);
  addDockWidget(Qt::LeftDockWidgetArea, filesDock);
  connect(fileList_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
    if (auto status = openListItem(item); !status)
      QMessageBox::warning(this, tr("Cannot open"), QString::fromStdString(status.error().message));
  });

  // Tools and overlays (heatmap look, labels, measurements) of whichever viewer is shown:
  // showViewer() points the panel at it.
  overlayPanel_ = new viewers::OverlayPanel(viewer_, this);
  auto* overlayDock = new QDockWidget(tr("Tools & overlays"), this);
  overlayDock->setObjectName(QStringLiteral("overlayDock"));
  overlayDock->setWidget(overlayPanel_);
  addDockWidget(Qt::RightDockWidgetArea, overlayDock);
  const auto toStatus = [this](const QString& text) { statusBar()->showMessage(text); };
  connect(overlayPanel_, &viewers::OverlayPanel::message, this, toStatus);
  connect(viewer_, &viewers::ImageViewer2D::toolMessage, this, toStatus);
  connect(volumeViewer_, &viewers::VolumeViewer::toolMessage, this, toStatus);
  connect(viewer_, &viewers::ImageViewer2D::heatmapDropped, this, [this, toStatus](const QString& reason) {
    overlayPanel_->syncHeatmap();
    toStatus(tr("Heatmap removed: %1").arg(reason));
  });
  connect(overlayPanel_, &viewers::OverlayPanel::loadMapRequested, this, [this](const QString& file) {
    auto map = io::readMap(file.toStdString());
    const core::Status status = map ? setHeatmapOnCurrentViewer(std::move(map).value()) : core::Status(map.error());
    statusBar()->showMessage(status ? tr("Heatmap %1").arg(file) : QString::fromStdString(status.error().message));
    if (!status) QMessageBox::warning(this, tr("Heatmap refused"), QString::fromStdString(status.error().message));
  });
  connect(overlayPanel_, &viewers::OverlayPanel::loadLabelMapRequested, this, [this](const QString& file) {
    const core::Status status = loadLabelMapOnCurrentViewer(file.toStdString());
    statusBar()->showMessage(status ? tr("Label map %1").arg(file) : QString::fromStdString(status.error().message));
    if (!status) QMessageBox::warning(this, tr("Label map refused"), QString::fromStdString(status.error().message));
  });

  sliceBar_ = addToolBar(tr("Slice"));
  sliceBar_->setObjectName(QStringLiteral("sliceBar"));
  sliceBar_->addWidget(new QLabel(tr(" Slice "), sliceBar_));
  sliceSlider_ = new QSlider(Qt::Horizontal, sliceBar_);
  sliceSlider_->setMinimumWidth(300);
  sliceBar_->addWidget(sliceSlider_);
  sliceLabel_ = new QLabel(sliceBar_);
  sliceBar_->addWidget(sliceLabel_);
  sliceBar_->setVisible(false);
  connect(sliceSlider_, &QSlider::valueChanged, this, &MainWindow::showSlice);
  connect(viewer_, &viewers::ImageViewer2D::frameChanged, this, [this](int k, int count) {
    if (!volume_ || sliceSlider_->value() == k) return;  // Ctrl+wheel in the viewer: follow it
    const QSignalBlocker block(sliceSlider_);
    sliceSlider_->setValue(k);
    sliceLabel_->setText(tr(" %1 / %2 ").arg(k + 1).arg(count));
  });

  pixelLabel_ = new QLabel(this);
  pixelLabel_->setMinimumWidth(pixelLabel_->fontMetrics().horizontalAdvance(QStringLiteral("(00000, 00000)  -0000.00, -0000.00, -0000.00")));
  statusBar()->addPermanentWidget(pixelLabel_);
  connect(viewer_, &viewers::ImageViewer2D::pixelHovered, this, [this](int x, int y, const QString& value) {
    pixelLabel_->setText(tr("(%1, %2)  %3").arg(x).arg(y).arg(value));
  });
  connect(volumeViewer_, &viewers::VolumeViewer::crosshairMoved, pixelLabel_, &QLabel::setText);
  connect(volumeViewer_, &viewers::VolumeViewer::voxelHovered, pixelLabel_, &QLabel::setText);
  buildMenus();
  statusBar()->showMessage(tr("Open an image, volume or slide with File ▸ Open."));
}

MainWindow::~MainWindow() = default;

void MainWindow::showViewer(QWidget* viewer) {
  if (viewerStack_->indexOf(viewer) < 0) viewerStack_->addWidget(viewer);
  viewerStack_->setCurrentWidget(viewer);
  // The panel acts on what is on screen (a viewer that offers no overlays disables it).
  if (overlayPanel_) overlayPanel_->setTarget(dynamic_cast<viewers::OverlayTarget*>(viewer));
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (property(kReadingProperty).toBool()) {
    statusBar()->showMessage(tr("Still reading a file: close again when it is open."));
    event->ignore();
    return;
  }
  QMainWindow::closeEvent(event);
}

QWidget* MainWindow::currentViewer() const { return viewerStack_->currentWidget(); }

core::Status MainWindow::setHeatmapOnCurrentViewer(core::Volume map) {
  QWidget* shown = currentViewer();
  core::Status status = core::makeError(core::ErrorCode::InvalidArgument, "open an image, volume or slide first");
  if (shown == viewer_ && viewer_->hasImage()) status = viewer_->setHeatmap(std::move(map));
  if (shown == volumeViewer_) status = volumeViewer_->setHeatmap(std::move(map));
  if (shown == slideViewer_) status = slideViewer_->setHeatmap(std::move(map));
  if (overlayPanel_) overlayPanel_->syncHeatmap();
  return status;
}

core::Status MainWindow::loadLabelMapOnCurrentViewer(const std::filesystem::path& file) {
  QWidget* shown = currentViewer();
  const bool onSlide = shown == slideViewer_ && slideViewer_->hasSlide() && !slideViewer_->slide()->levels().empty();
  if (shown != volumeViewer_ && !onSlide && !(shown == viewer_ && viewer_->hasImage()))
    return core::makeError(core::ErrorCode::InvalidArgument, "open an image, volume or slide first");
  const auto refused = [&](const core::Error& e) { return core::makeError(e.code, file.string() + ": " + e.message); };
  const QString reading = tr("Reading %1…").arg(QString::fromStdString(file.filename().string()));
  if (onSlide && io::storesGeometry(file)) {
    // NIfTI/NRRD/MHA carry their level-0 geometry: read once, as a map with its geometry.
    auto labels = runKeepingUiAlive(this, reading, [&] { return io::readMap(file); });
    if (!labels) return refused(labels.error());
    auto status = slideViewer_->setLabelMap(std::move(labels).value());
    return status ? core::Status(core::Ok{}) : refused(status.error());
  }
  auto opened = runKeepingUiAlive(this, reading, [&] { return io::ReaderRegistry::builtin().open(file); });
  if (!opened) return opened.error();
  auto& content = opened.value().content;
  if (std::holds_alternative<std::shared_ptr<core::SlideSource>>(content))
    return core::makeError(core::ErrorCode::Unsupported, file.string() + ": a whole slide is not a label map");
  if (onSlide) {
    // A PNG/TIFF mask has no geometry: it covers the whole slide at its own downsample
    // (QuPath's labelled-image export).
    auto* mask = std::get_if<core::Image2D>(&content);
    if (mask == nullptr)
      return core::makeError(core::ErrorCode::InvalidArgument, file.string() + ": a slide takes a one-plane label map");
    const auto& level0 = slideViewer_->slide()->levels().front();
    auto labels = viewers::slideLabelMapFromImage(*mask, level0.width, level0.height);
    if (!labels) return refused(labels.error());
    auto status = slideViewer_->setLabelMap(std::move(labels).value());
    return status ? core::Status(core::Ok{}) : refused(status.error());
  }
  auto* asVolume = std::get_if<core::Volume>(&content);
  if (shown == volumeViewer_) {
    if (!asVolume)
      return core::makeError(core::ErrorCode::InvalidArgument,
                             file.string() + ": a volume needs a 3D label map (NIfTI, NRRD, MHA) in its space");
    auto status = volumeViewer_->setLabelMap(std::move(*asVolume));
    return status ? core::Status(core::Ok{}) : refused(status.error());
  }
  if (asVolume && asVolume->size()[2] != 1)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           file.string() + ": has " + std::to_string(asVolume->size()[2]) +
                               " planes; a 2D image takes a single-plane label map");
  auto labels = io::representativeImage(opened.value());
  if (!labels) return labels.error();
  auto status = viewer_->setLabelMap(std::move(labels).value());
  return status ? core::Status(core::Ok{}) : refused(status.error());
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::openWithDialog);
  file->addAction(tr("Open &folder…"), this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open folder"));
    if (dir.isEmpty()) return;
    if (auto status = openFolder(dir.toStdString()); !status)
      QMessageBox::warning(this, tr("Cannot open"), QString::fromStdString(status.error().message));
  });
  file->addAction(tr("Save &screenshot…"), this, &MainWindow::saveScreenshotWithDialog);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("&Reset view"), QKeySequence(Qt::Key_R), this, [this] {
    QWidget* shown = currentViewer();
    if (shown == viewer_) viewer_->resetView();
    if (shown == slideViewer_) slideViewer_->resetView();
    if (shown == volumeViewer_) {
      volumeViewer_->state().resetViews();
      volumeViewer_->refresh();
    }
  });
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Meridian"), this, [this] {
    QMessageBox::about(this, tr("About Meridian"),
                       tr("<b>Meridian %1</b><p>Clinical research workstation: CT volumes, whole slides and 2D "
                          "images with an embedded vision-transformer foundation model.</p>")
                           .arg(QStringLiteral(MERIDIAN_VERSION)));
  });
}

core::Status MainWindow::openPath(const std::filesystem::path& path) {
  auto opened = runKeepingUiAlive(this, tr("Reading %1…").arg(QString::fromStdString(path.filename().string())),
                                  [&] { return io::ReaderRegistry::builtin().open(path); });
  if (!opened) {
    log()->error("{}", opened.error().message);
    statusBar()->showMessage(QString::fromStdString(opened.error().message));
    return opened.error();
  }
  const auto* slide = std::get_if<std::shared_ptr<core::SlideSource>>(&opened.value().content);
  if (!slide) slideViewer_->setSlide(nullptr);  // close the previous slide and stop its reads
  if (const auto* volume = std::get_if<core::Volume>(&opened.value().content)) {
    if (auto status = showVolume(std::make_shared<core::Volume>(*volume)); !status) return status;
  } else if (slide) {
    (void)showVolume(nullptr);  // no volume: cannot fail
    slideViewer_->setSlide(*slide);  // tiles load on worker threads from here on
    showViewer(slideViewer_);
  } else {
    auto display = io::representativeImage(opened.value());
    if (!display) {
      log()->error("{}: {}", path.string(), display.error().message);
      statusBar()->showMessage(QString::fromStdString(path.string() + ": " + display.error().message));
      return display.error();
    }
    (void)showVolume(nullptr);  // no volume: cannot fail
    viewer_->setImage(display.value());
    viewer_->setValueUnit(io::summarize(opened.value()).modality == "CT" ? tr("HU") : QString());  // rescaled on read
    showViewer(viewer_);
  }
  showInfo(infoRows(path, io::summarize(opened.value())));
  const QString name = QString::fromStdString(path.filename().string());
  setWindowTitle(tr("%1 — Meridian").arg(name));
  statusBar()->showMessage(tr("Opened %1").arg(name));
  log()->info("opened {} ({} {})", path.string(), opened.value().format, io::toString(opened.value().kind()));
  return core::Ok{};
}

core::Status MainWindow::open(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec) ? openFolder(path) : openPath(path);
}

core::Status MainWindow::openFolder(const std::filesystem::path& folder) {
  constexpr std::size_t kMaxListed = 2000;
  // DICOM files anywhere below, grouped into series.
  auto index = runKeepingUiAlive(this, tr("Looking for DICOM series in %1…").arg(QString::fromStdString(folder.string())),
                                 [&] { return io::indexDicomFolder(folder); });
  if (!index) return index.error();
  series_ = std::move(index).value();
  std::set<std::filesystem::path> inSeries;
  for (const auto& s : series_) inSeries.insert(s.files.begin(), s.files.end());

  std::vector<std::filesystem::path> files;  // other images directly in the folder
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.empty() || name.front() == '.' || inSeries.count(entry.path())) continue;
    if (io::ReaderRegistry::builtin().find(entry.path())) files.push_back(entry.path());
    if (files.size() >= kMaxListed) break;
  }
  if (ec) return core::makeError(core::ErrorCode::Io, folder.string() + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());

  fileList_->clear();
  for (const auto& file : files) {
    auto* item = new QListWidgetItem(QString::fromStdString(file.filename().string()), fileList_);
    item->setData(kPathRole, QString::fromStdString(file.string()));
  }
  for (std::size_t i = 0; i < series_.size(); ++i) {
    const auto& s = series_[i];
    const QString label = tr("%1 · %2 (%3 %4)")
                              .arg(QString::fromStdString(s.modality),
                                   QString::fromStdString(s.seriesDescription.empty() ? "series" : s.seriesDescription))
                              .arg(s.files.size())
                              .arg(s.files.size() == 1 ? tr("image") : tr("images"));
    auto* item = new QListWidgetItem(label, fileList_);
    item->setData(kSeriesRole, static_cast<int>(i));
    item->setToolTip(QString::fromStdString(s.patientName + "  " + s.studyDate + "\n" + s.seriesUid));
  }
  if (fileList_->count() == 0)
    return core::makeError(core::ErrorCode::NotFound, folder.string() + ": no file Meridian can read in this folder");
  // Show the first entry that opens; one bad series (a localizer, say) must not make the
  // whole folder fail: its error stays in the status bar and the log.
  for (int row = 0; row < fileList_->count(); ++row) {
    if (openListItem(fileList_->item(row))) {
      fileList_->setCurrentRow(row);
      return core::Ok{};
    }
  }
  return core::makeError(core::ErrorCode::Unsupported, folder.string() + ": none of the listed items could be opened");
}

core::Status MainWindow::openListItem(QListWidgetItem* item) {
  const QVariant seriesIndex = item->data(kSeriesRole);
  if (seriesIndex.isValid()) return openSeries(series_.at(static_cast<std::size_t>(seriesIndex.toInt())));
  return openPath(item->data(kPathRole).toString().toStdString());
}

core::Status MainWindow::openSeries(const io::DicomSeriesInfo& series) {
  auto loaded = runKeepingUiAlive(
      this, tr("Reading %1 DICOM images…").arg(series.files.size()), [&] { return io::loadDicomSeries(series); });
  if (!loaded) {
    log()->error("{}", loaded.error().message);
    statusBar()->showMessage(QString::fromStdString(loaded.error().message));
    return loaded.error();
  }
  const core::Volume& volume = loaded.value().volume;
  io::OpenedImage opened{"DICOM", volume};
  if (auto status = showVolume(std::make_shared<core::Volume>(volume)); !status) return status;
  slideViewer_->setSlide(nullptr);  // close a slide left open behind the series
  auto rows = infoRows(series.files.front().parent_path(), io::summarize(opened));
  rows.front() = {tr("Series"), QString::fromStdString(series.seriesDescription)};
  rows.emplace_back(tr("Patient"), QString::fromStdString(series.patientName + " (" + series.patientId + ")"));
  rows.emplace_back(tr("Study date"), QString::fromStdString(series.studyDate));
  for (const auto& warning : loaded.value().warnings) {
    rows.emplace_back(tr("Warning"), QString::fromStdString(warning));
    log()->warn("series {}: {}", series.seriesUid, warning);
  }
  showInfo(rows);
  setWindowTitle(tr("%1 — Meridian").arg(QString::fromStdString(series.modality + " " + series.seriesDescription)));
  statusBar()->showMessage(loaded.value().warnings.empty()
                               ? tr("Opened series %1").arg(QString::fromStdString(series.seriesDescription))
                               : QString::fromStdString(loaded.value().warnings.front()));
  return core::Ok{};
}

core::Status MainWindow::showVolume(std::shared_ptr<const core::Volume> volume) {
  // Scalar volumes (CT, MR) open in the volume viewer; colour frame stacks (cine loops) stay
  // in the 2D viewer, browsed frame by frame with the Slice bar.
  if (volume && volume->channels() == 1) {
    if (auto status = volumeViewer_->setVolume(volume); !status) return status;
    volume_ = std::move(volume);
    sliceBar_->setVisible(false);
    showViewer(volumeViewer_);
    return core::Ok{};
  }
  volumeViewer_->clear();
  volume_ = std::move(volume);
  sliceBar_->setVisible(volume_ != nullptr);
  if (!volume_) return core::Ok{};
  auto middle = volume_->slice(volume_->size()[2] / 2);
  if (!middle) return middle.error();
  viewer_->setFrames(volume_);  // the middle frame, fitted; Ctrl+wheel steps frames too
  showViewer(viewer_);
  const QSignalBlocker block(sliceSlider_);
  sliceSlider_->setRange(0, volume_->size()[2] - 1);
  sliceSlider_->setValue(volume_->size()[2] / 2);
  sliceLabel_->setText(tr(" %1 / %2 ").arg(sliceSlider_->value() + 1).arg(volume_->size()[2]));
  return core::Ok{};
}

int MainWindow::currentSlice() const {
  if (!volume_) return -1;
  if (volumeViewer_->hasVolume()) return volumeViewer_->state().sliceIndex(viewers::Plane::Axial);
  return sliceSlider_->value();
}

void MainWindow::showSlice(int k) {
  if (!volume_) return;
  if (volumeViewer_->hasVolume()) {
    volumeViewer_->state().setSliceIndex(viewers::Plane::Axial, k);
    volumeViewer_->refresh();
    return;
  }
  auto slice = volume_->slice(k);
  if (!slice) return;
  if (sliceSlider_->value() != k) {
    const QSignalBlocker block(sliceSlider_);
    sliceSlider_->setValue(k);
  }
  viewer_->setFrame(k);  // keeps zoom, pan and window
  sliceLabel_->setText(tr(" %1 / %2 ").arg(k + 1).arg(volume_->size()[2]));
}

void MainWindow::openWithDialog() {
  const QString file = QFileDialog::getOpenFileName(
      this, tr("Open image"), QString(),
      tr("Images (*.dcm *.nii *.nii.gz *.nrrd *.mha *.mhd *.png *.jpg *.jpeg *.tif *.tiff *.bmp *.svs *.ndpi *.mrxs "
         "*.scn *.vms *.vmu *.bif);;All files (*)"));
  if (file.isEmpty()) return;
  if (auto status = openPath(file.toStdString()); !status)
    QMessageBox::warning(this, tr("Cannot open"), QString::fromStdString(status.error().message));
}

void MainWindow::saveScreenshotWithDialog() {
  const QString file = QFileDialog::getSaveFileName(this, tr("Save screenshot"), QStringLiteral("meridian.png"),
                                                    tr("PNG (*.png)"));
  if (file.isEmpty()) return;
  if (!grab().save(file, "PNG"))
    QMessageBox::warning(this, tr("Cannot save"), tr("Could not write %1").arg(file));
}

void MainWindow::showInfo(const std::vector<std::pair<QString, QString>>& rows) {
  infoPanel_->clear();
  for (const auto& [key, value] : rows) {
    auto* item = new QTreeWidgetItem({key, value});
    item->setToolTip(1, value);  // long values (warnings, UIDs) are cut by the column
    infoPanel_->addTopLevelItem(item);
  }
}

}  // namespace meridian::ui
