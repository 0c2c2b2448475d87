#pragma once
// Opening what a user points at — a file, a folder, a DICOM series, a DICOMDIR, a slide —
// in one place, without Qt, for every front end: meridian-cli (info, convert, infer,
// explain, the pipelines), the window's Files list and viewers, and the project import.
//
// Contract
// - listInput(path): for a folder or a DICOMDIR, the DICOM series it holds, read from
//   headers only (no pixel is decoded): per series its identity, the geometry the volume
//   will have (size after ordering, spacing in-plane and along the normal, origin,
//   direction), irregular spacing, and whether it is complete. Incomplete means: a member
//   file that cannot be read (listed with its name and the reason), or a gap where the
//   other slices' positions say a slice should be (wider than 1.5x the median spacing;
//   the missing positions are listed). DICOM files too damaged to tell their series are
//   listed too (`unassigned`). Nothing under the folder is dropped silently.
// - openInput(path, options): the pixels. A single file goes through the reader registry
//   (2D image, volume or slide). A folder or DICOMDIR loads one series (the only one, or
//   `options.seriesUid`). An incomplete series is refused (ErrorCode::Corrupt, the message
//   says what is missing) unless `options.allowIncomplete`; then it loads what can be read,
//   and `incompleteAccepted` plus `series->layout` record what is missing, for the output
//   to say so. A folder with several series and no choice is ErrorCode::InvalidArgument
//   (the message lists them).
// - Errors name the path and say what a user can do; they never name a CLI flag or a
//   menu entry (each front end adds its own hint).
// - Thread-safety: both functions may run on a worker thread; they share no state.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ImageReader.hpp"

namespace meridian::io {

/// One DICOM series as listed from headers.
struct SeriesListing {
  DicomSeriesInfo info;
  /// What the headers say about the volume; nullopt when they do not make one (then
  /// `layoutError` says why: slices of different sizes or orientations, ...).
  std::optional<DicomSeriesLayout> layout;
  std::string layoutError;

  /// Unreadable members or missing slices (from the layout, or the index alone).
  bool complete() const { return layout ? layout->complete() : info.unreadable.empty(); }
  /// Members that cannot be read, with the reason.
  const std::vector<UnreadableFile>& unreadable() const { return layout ? layout->unreadable : info.unreadable; }
};

/// What a folder or DICOMDIR holds.
struct InputListing {
  std::vector<SeriesListing> series;
  std::vector<UnreadableFile> unassigned;  // DICOM files whose header is too damaged to place
};

/// True for a folder or a DICOMDIR (inputs that hold series rather than one image).
bool isDicomCollection(const std::filesystem::path& path);

/// Lists a folder's or DICOMDIR's series (headers only). Fails when the path cannot be
/// read or holds no DICOM image file at all.
core::Result<InputListing> listInput(const std::filesystem::path& folderOrDicomDir);

struct OpenInputOptions {
  std::string seriesUid;         // a folder or DICOMDIR holding several series: which one
  bool allowIncomplete = false;  // load a series with unreadable members or gaps anyway
};

struct OpenedInput {
  OpenedImage image;  // format "DICOM series" for a series
  /// Set when the input was a series: its identity and layout (complete or not, what is missing).
  std::optional<SeriesListing> series;
  bool incompleteAccepted = false;    // an incomplete series was loaded because the caller allowed it
  std::vector<std::string> warnings;  // for the user: incompleteness first, irregular spacing, tilt, ...
};

/// Opens a file, a folder (one DICOM series under it) or a DICOMDIR (one series it lists).
core::Result<OpenedInput> openInput(const std::filesystem::path& path, const OpenInputOptions& options = {});

}  // namespace meridian::io
