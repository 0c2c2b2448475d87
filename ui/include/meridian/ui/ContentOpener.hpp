#pragma once
// Opening things in the window: a file, a folder (listed in the Files panel, first entry
// that opens is shown), a DICOM series. Reads run off the UI thread (BackgroundTask.hpp);
// which viewer shows the result is decided by the Qt-free ContentRouting.hpp, what the
// Image panel lists by ImageInfo.hpp, what a folder holds by FolderListing.hpp. On failure
// the open content stays and the error is returned (and said through statusMessage).

#include <QObject>
#include <QString>

#include <filesystem>
#include <memory>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/viewers/InitialDisplay.hpp"
#include "meridian/viewers/ViewerKind.hpp"

class QWidget;

namespace meridian::ui {

class FilesPanel;
class ImageInfoPanel;
class SliceBar;
class ViewerStack;

class ContentOpener : public QObject {
  Q_OBJECT
 public:
  /// `window` parents the busy dialog and carries the "reading" flag (see BackgroundTask.hpp).
  ContentOpener(QWidget* window, ViewerStack& viewers, FilesPanel& files, ImageInfoPanel& info, SliceBar& slices);

  core::Status openPath(const std::filesystem::path& path);
  core::Status openFolder(const std::filesystem::path& folder);
  /// `inspected`: its headers as a folder listing read them (not read again), when at hand.
  core::Status openSeries(const io::DicomSeriesInfo& series, const io::InspectedSeries* inspected = nullptr);
  /// openFolder() for folders, openPath() for files.
  core::Status open(const std::filesystem::path& path);
  /// Opens entry `row` of the Files panel and marks it open.
  core::Status openEntry(int row);

  /// Axial slice of the open volume, or frame of the open frame stack; -1 otherwise.
  int currentSlice() const;
  /// Shows slice/frame k, keeping zoom, pan and window.
  void showSlice(int k);

 Q_SIGNALS:
  void statusMessage(QString text);
  /// What the window title names ("ct-slice.dcm", "CT Routine Brain").
  void titleChanged(QString title);
  /// A viewer's content was replaced: its readout describes what is gone.
  void contentReplaced(meridian::viewers::ViewerKind kind);

 private:
  /// Keeps `volume` for slice browsing (nullptr for 2D content and slides) and shows it:
  /// scalar volumes in the volume viewer, colour frame stacks in the 2D viewer.
  core::Status showVolume(std::shared_ptr<const core::Volume> volume, viewers::BodyRegion region);
  core::Status failed(const core::Error& error);

  QWidget* window_;
  ViewerStack& viewers_;
  FilesPanel& files_;
  ImageInfoPanel& info_;
  SliceBar& slices_;
  std::shared_ptr<const core::Volume> volume_;  // the open volume or frame stack
};

}  // namespace meridian::ui
