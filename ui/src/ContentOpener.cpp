#include "meridian/ui/ContentOpener.hpp"

#include <QWidget>

#include "BackgroundTask.hpp"
#include "meridian/core/Logging.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/ui/ContentRouting.hpp"
#include "meridian/ui/FilesPanel.hpp"
#include "meridian/ui/FolderListing.hpp"
#include "meridian/ui/ImageInfo.hpp"
#include "meridian/ui/ImageInfoPanel.hpp"
#include "meridian/ui/SliceBar.hpp"
#include "meridian/ui/ViewerStack.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"
#include "meridian/viewers/SlideViewer.hpp"
#include "meridian/viewers/VolumeViewState.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace meridian::ui {
namespace {
auto log() { return core::logging::get(core::logging::Layer::Ui); }
QString fileName(const std::filesystem::path& path) { return QString::fromStdString(path.filename().string()); }
}  // namespace

using viewers::ViewerKind;

ContentOpener::ContentOpener(QWidget* window, ViewerStack& viewers, FilesPanel& files, ImageInfoPanel& info,
                             SliceBar& slices)
    : QObject(window), window_(window), viewers_(viewers), files_(files), info_(info), slices_(slices) {
  connect(&slices_, &SliceBar::sliceRequested, this, &ContentOpener::showSlice);
  connect(&viewers_, &ViewerStack::frameChanged, this, [this](int k, int count) {
    if (volume_) slices_.follow(k, count);  // Ctrl+wheel in the viewer: the bar follows
  });
}

core::Status ContentOpener::failed(const core::Error& error) {
  log()->error("{}", error.message);
  Q_EMIT statusMessage(QString::fromStdString(error.message));
  return error;
}

core::Status ContentOpener::openPath(const std::filesystem::path& path) {
  auto opened = runKeepingUiAlive(window_, tr("Reading %1…").arg(fileName(path)),
                                  [&] { return io::ReaderRegistry::builtin().open(path); });
  if (!opened) return failed(opened.error());
  const io::ImageSummary summary = io::summarize(opened.value());
  const ViewerKind kind = viewerFor(opened.value());
  if (kind != ViewerKind::Slide) viewers_.host(ViewerKind::Slide).clear();  // stops the old slide's reads
  auto& content = opened.value().content;
  Q_EMIT contentReplaced(kind);  // before the viewer takes it: a new readout may follow at once
  if (kind == ViewerKind::Slide) {
    (void)showVolume(nullptr, viewers::BodyRegion::Unknown);  // no volume: cannot fail
    viewers_.slideViewer()->setSlide(std::get<std::shared_ptr<core::SlideSource>>(content));  // tiles load from here on
    viewers_.show(ViewerKind::Slide);
  } else if (std::holds_alternative<core::Volume>(content)) {
    // A scalar volume (volume viewer) or a colour frame stack (2D viewer, slice bar).
    auto volume = std::make_shared<const core::Volume>(std::move(std::get<core::Volume>(content)));
    if (auto status = showVolume(std::move(volume), viewers::BodyRegion::Unknown); !status) return failed(status.error());
  } else {
    auto display = io::representativeImage(opened.value());
    if (!display) return failed(core::Error{display.error().code, path.string() + ": " + display.error().message});
    (void)showVolume(nullptr, viewers::BodyRegion::Unknown);  // no volume: cannot fail
    viewers_.imageViewer()->setImage(display.value());
    viewers_.imageViewer()->setValueUnit(summary.modality == "CT" ? tr("HU") : QString());  // rescaled on read
    viewers_.show(ViewerKind::Image2D);
  }
  info_.showRows(describeImage(path, summary));
  Q_EMIT titleChanged(fileName(path));
  Q_EMIT statusMessage(tr("Opened %1").arg(fileName(path)));
  log()->info("opened {} ({} {})", path.string(), summary.format, io::toString(summary.kind));
  return core::Ok{};
}

core::Status ContentOpener::open(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec) || io::isDicomDir(path) ? openFolder(path) : openPath(path);
}

core::Status ContentOpener::openFolder(const std::filesystem::path& folder) {
  auto listing = runKeepingUiAlive(window_, tr("Looking for images and DICOM series in %1…").arg(QString::fromStdString(folder.string())),
                                   [&] { return listFolder(folder); });
  if (!listing) return listing.error();
  const std::size_t warnings = listing.value().warnings();
  files_.setListing(std::move(listing).value());
  files_.raise();
  // Show the first entry that opens; one bad series (a localizer, say) must not make the
  // whole folder fail: its error stays in the status bar and the log.
  for (int row = 0; row < static_cast<int>(files_.listing().entries.size()); ++row) {
    if (openEntry(row)) {
      if (warnings > 0)
        Q_EMIT statusMessage(tr("%1 entry(ies) in Files marked ⚠ (a file that could not join a DICOM series, or an "
                                "incomplete series): its tooltip says what is wrong")
                                 .arg(warnings));
      return core::Ok{};
    }
  }
  return core::makeError(core::ErrorCode::Unsupported, folder.string() + ": none of the listed items could be opened");
}

core::Status ContentOpener::openEntry(int row) {
  const auto& entries = files_.listing().entries;
  if (row < 0 || row >= static_cast<int>(entries.size()))
    return core::makeError(core::ErrorCode::InvalidArgument, "no such entry in the Files panel");
  const FolderEntry& entry = entries[static_cast<std::size_t>(row)];
  const auto& inspected = files_.listing().inspected;
  const core::Status status =
      entry.kind == FolderEntry::Kind::Series
          ? openSeries(files_.listing().series.at(entry.series),
                       entry.series < inspected.size() ? &inspected[entry.series] : nullptr)
          : openPath(entry.path);
  if (status) files_.markOpen(row);
  return status;
}

core::Status ContentOpener::openSeries(const io::DicomSeriesInfo& series, const io::InspectedSeries* inspected) {
  auto loaded = runKeepingUiAlive(window_, tr("Reading %1 DICOM images…").arg(series.files.size()), [&] {
    return inspected ? io::loadDicomSeries(series, *inspected) : io::loadDicomSeries(series);
  });
  if (!loaded) return failed(loaded.error());
  io::OpenedImage opened{"DICOM", std::move(loaded.value().volume)};
  const io::ImageSummary summary = io::summarize(opened);
  Q_EMIT contentReplaced(viewerFor(opened));  // before the viewer takes it: a new readout may follow at once
  auto volume = std::make_shared<const core::Volume>(std::move(std::get<core::Volume>(opened.content)));
  if (auto status = showVolume(std::move(volume), bodyRegionOf(series)); !status) return failed(status.error());
  viewers_.host(ViewerKind::Slide).clear();  // close a slide left open behind the series
  const auto& warnings = loaded.value().warnings;
  for (const auto& warning : warnings) log()->warn("series {}: {}", series.seriesUid, warning);
  info_.showRows(describeSeries(series, summary, warnings));
  Q_EMIT titleChanged(QString::fromStdString(series.modality + " " + series.seriesDescription));
  Q_EMIT statusMessage(warnings.empty() ? tr("Opened series %1").arg(QString::fromStdString(series.seriesDescription))
                                        : QString::fromStdString(warnings.front()));
  return core::Ok{};
}

core::Status ContentOpener::showVolume(std::shared_ptr<const core::Volume> volume, viewers::BodyRegion region) {
  if (volume && volume->channels() == 1) {
    if (auto status = viewers_.volumeViewer()->setVolume(volume, region); !status) return status;
    volume_ = std::move(volume);
    slices_.setVisible(false);
    viewers_.show(ViewerKind::Volume);
    return core::Ok{};
  }
  viewers_.host(ViewerKind::Volume).clear();
  volume_ = std::move(volume);
  slices_.setVisible(volume_ != nullptr);
  if (!volume_) return core::Ok{};
  const int frames = volume_->size()[2];
  viewers_.imageViewer()->setFrames(volume_);  // the middle frame, fitted; Ctrl+wheel steps frames too
  viewers_.show(ViewerKind::Image2D);
  slices_.setFrames(frames, frames / 2);
  return core::Ok{};
}

int ContentOpener::currentSlice() const {
  if (!volume_) return -1;
  if (viewers_.volumeViewer()->hasVolume()) return viewers_.volumeViewer()->state().sliceIndex(viewers::Plane::Axial);
  return slices_.value();
}

void ContentOpener::showSlice(int k) {
  if (!volume_) return;
  if (viewers_.volumeViewer()->hasVolume()) {
    viewers_.volumeViewer()->state().setSliceIndex(viewers::Plane::Axial, k);
    viewers_.volumeViewer()->refresh();
    return;
  }
  if (k < 0 || k >= volume_->size()[2]) return;
  slices_.follow(k, volume_->size()[2]);
  viewers_.imageViewer()->setFrame(k);  // keeps zoom, pan and window
}

}  // namespace meridian::ui
