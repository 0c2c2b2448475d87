#pragma once
// DICOM studies as folders of files: index them (headers only) into series, and load a
// series into one Volume with its patient-space geometry.

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::io {

/// A file that could not be read, and why (in words a user can act on).
struct UnreadableFile {
  std::filesystem::path file;
  std::string reason;
};

struct DicomSeriesInfo {
  std::string seriesUid, studyUid;
  std::string patientName, patientId, studyDate, studyDescription;
  std::string modality, seriesDescription;
  int seriesNumber = 0;
  int rows = 0, columns = 0;
  std::vector<std::filesystem::path> files;  // image files of the series, in no particular order
  /// Files that belong to this series by their header but cannot be read (truncated pixel
  /// data, a damaged element): the series is incomplete without them.
  std::vector<UnreadableFile> unreadable;
};

/// A folder scan: its series, and the DICOM files (Part 10 preamble) whose header is too
/// damaged to tell which series they belong to. Nothing under the folder is left out
/// silently: every DICOM file is either in a series' `files`, in its `unreadable`, or here.
struct DicomFolderIndex {
  std::vector<DicomSeriesInfo> series;
  std::vector<UnreadableFile> unassigned;
};
core::Result<DicomFolderIndex> indexDicomFolderReport(const std::filesystem::path& folder);

/// Reads the headers (not the pixels) of every DICOM image file under `folder`,
/// recursively, and groups them by series; sorted by patient, study date and series number.
core::Result<std::vector<DicomSeriesInfo>> indexDicomFolder(const std::filesystem::path& folder);

/// The series a DICOMDIR (a media directory file) lists, with their image files resolved
/// relative to the DICOMDIR's folder; the same order as indexDicomFolder. Files the
/// DICOMDIR names but the folder lacks are left out (an error when none exist); series
/// whose files hold no image are skipped, as a folder scan skips them. A reference that
/// leaves the DICOMDIR's folder (a ".." component, an absolute path, a link pointing out)
/// is refused with the reason: a DICOMDIR never indexes files outside its own folder.
/// Files it names but that are missing, or that cannot be read, are listed per series in
/// `unreadable` (the series is incomplete), never dropped silently.
core::Result<std::vector<DicomSeriesInfo>> indexDicomDir(const std::filesystem::path& dicomdir);

/// True when `path` is a DICOMDIR (by name, or by its Media Storage SOP Class).
bool isDicomDir(const std::filesystem::path& path);

/// What the headers of a series say about it as a volume, before any pixel is decoded:
/// the geometry the loaded volume will have, and whether slices are missing.
struct DicomSeriesLayout {
  std::array<int, 3> size{0, 0, 0};            // columns, rows, readable slices
  std::array<double, 3> spacing{1.0, 1.0, 1.0};  // in-plane (column, row) and along the slice normal (median gap)
  std::array<double, 3> origin{0.0, 0.0, 0.0};   // patient position (LPS, mm) of the first slice after ordering
  std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1};  // row-major, columns = voxel axes
  bool haveGeometry = false;                    // every slice has position and orientation
  bool irregularSpacing = false;                // gaps differ by more than 1% of the median
  std::vector<std::filesystem::path> orderedFiles;  // readable slices along the normal
  /// Slice positions (LPS, mm) where the positions of the others say a slice should be:
  /// in every gap wider than 1.5x the median spacing, one per median step.
  std::vector<std::array<double, 3>> missingPositions;
  std::vector<UnreadableFile> unreadable;       // members that cannot be read, with the reason
  std::vector<std::string> warnings;            // irregular spacing, gantry tilt, ... for the user to see

  /// False when a member is unreadable or a slice is missing: the volume has a hole.
  bool complete() const { return unreadable.empty() && missingPositions.empty(); }
  /// One line for a user: "incomplete series: 1 file cannot be read (x.dcm: ...), 1 slice missing at z = ..."
  std::string incompleteReason() const;
};

/// Reads every header of the series (no pixels): orders the slices, computes the geometry
/// and finds unreadable members and gaps. Fails only when nothing of it is a volume
/// (no readable slice, slices of different sizes or orientations, two at one position).
core::Result<DicomSeriesLayout> inspectDicomSeries(const DicomSeriesInfo& series);

/// A series whose headers were read once: its layout, and (opaque) the slices' headers that
/// loadDicomSeries would otherwise read again. A folder listing keeps it, so opening the
/// series reads each file once more only to decode its pixels.
struct SeriesHeaders;
struct InspectedSeries {
  DicomSeriesLayout layout;
  std::shared_ptr<const SeriesHeaders> headers;
};
/// inspectDicomSeries(), keeping the headers for loadDicomSeries(series, inspected).
core::Result<InspectedSeries> inspectDicomSeriesHeaders(const DicomSeriesInfo& series);

struct LoadedSeries {
  core::Volume volume;
  std::vector<std::string> warnings;  // incompleteness first, then irregular spacing, gantry tilt, ...
  /// The slices the volume holds, where the missing ones would be, and the unreadable
  /// members (including any whose pixels failed to decode after their header read).
  DicomSeriesLayout layout;
  bool complete() const { return layout.complete(); }
};

/// Loads a series into one Volume: slices ordered by position along the slice normal (not
/// by file name or InstanceNumber), spacing from positions, rescale applied with exact
/// values: int16 when every rescaled value fits it, else uint16 (integral, 0..65535, e.g.
/// unsigned 16-bit MR), else float32. Slices are decoded in parallel straight into the
/// volume. Refuses slices of different sizes or orientations and slices that share a
/// position. An incomplete series (unreadable members, gaps) still loads what it can:
/// the caller decides whether a volume with a hole may be used (see InputOpener.hpp);
/// `layout` says what is missing and `warnings` starts with it.
core::Result<LoadedSeries> loadDicomSeries(const DicomSeriesInfo& series);
/// The same from headers read before (inspectDicomSeriesHeaders of this series): no header is
/// read again. A file changed since then is decoded against the headers read then: list the
/// folder again after a change. Without headers it is loadDicomSeries(series).
core::Result<LoadedSeries> loadDicomSeries(const DicomSeriesInfo& series, const InspectedSeries& inspected);

/// The same, with a say before the pixels: `beforeDecoding` gets the layout the headers give
/// (what inspectDicomSeries returns) and an error it returns is returned as is, before any
/// pixel is decoded. Each header is read once (calling inspectDicomSeries first read them twice).
core::Result<LoadedSeries> loadDicomSeries(const DicomSeriesInfo& series,
                                           const std::function<core::Status(const DicomSeriesLayout&)>& beforeDecoding);

}  // namespace meridian::io
