#pragma once
// DICOM studies as folders of files: index them (headers only) into series, and load a
// series into one Volume with its patient-space geometry.

#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::io {

struct DicomSeriesInfo {
  std::string seriesUid, studyUid;
  std::string patientName, patientId, studyDate, studyDescription;
  std::string modality, seriesDescription;
  int seriesNumber = 0;
  int rows = 0, columns = 0;
  std::vector<std::filesystem::path> files;  // image files of the series, in no particular order
};

/// Reads the headers (not the pixels) of every DICOM image file under `folder`,
/// recursively, and groups them by series; sorted by patient, study date and series number.
core::Result<std::vector<DicomSeriesInfo>> indexDicomFolder(const std::filesystem::path& folder);

/// The series a DICOMDIR (a media directory file) lists, with their image files resolved
/// relative to the DICOMDIR's folder; the same order as indexDicomFolder. Files the
/// DICOMDIR names but the folder lacks are left out (an error when none exist); series
/// whose files hold no image are skipped, as a folder scan skips them.
core::Result<std::vector<DicomSeriesInfo>> indexDicomDir(const std::filesystem::path& dicomdir);

/// True when `path` is a DICOMDIR (by name, or by its Media Storage SOP Class).
bool isDicomDir(const std::filesystem::path& path);

struct LoadedSeries {
  core::Volume volume;
  std::vector<std::string> warnings;  // irregular spacing, gantry tilt, ... for the user to see
};

/// Loads a series into one Volume: slices ordered by position along the slice normal (not
/// by file name or InstanceNumber), spacing from positions, rescale applied (int16 when
/// every slice's slope/intercept is integral, else float32). Slices are decoded in
/// parallel straight into the volume. Refuses slices of different sizes or orientations
/// and slices that share a position.
core::Result<LoadedSeries> loadDicomSeries(const DicomSeriesInfo& series);

}  // namespace meridian::io
