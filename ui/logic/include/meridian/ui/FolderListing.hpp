#pragma once
// What the Files panel lists for a folder, worked out without Qt: the images directly in
// it, then the DICOM series found anywhere below it (one entry per series), and DICOM files
// that could not join a series, each with the warning the panel shows beside it.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/io/DicomSeries.hpp"

namespace meridian::ui {

struct FolderEntry {
  enum class Kind { File, Series };
  Kind kind = Kind::File;
  std::filesystem::path path;  // File: the file; Series: the folder of its first file
  std::size_t series = 0;      // Series: index into FolderListing::series
  std::string label, tooltip;
  /// Not empty: the entry is shown with a warning sign and this text (a DICOM file that
  /// is in no series, an incomplete series).
  std::string warning;
};

struct FolderListing {
  std::vector<FolderEntry> entries;
  std::vector<io::DicomSeriesInfo> series;
  /// inspected[i]: series[i]'s headers as the listing read them (to find gaps), for opening
  /// it without reading them again (io::loadDicomSeries(series, inspected)); empty headers
  /// when they could not be read.
  std::vector<io::InspectedSeries> inspected;
  /// Entries with a warning.
  std::size_t warnings() const;
};

/// Lists `folder`: readable files directly in it (sorted by name, hidden files skipped, at
/// most maxFiles), then its DICOM series. A DICOM file directly in the folder that no series
/// took is listed with a warning (its header could not be indexed, so it opens alone if at
/// all). A series with a gap in its slice positions or with members that cannot be read
/// carries a warning saying which (IncompleteSeriesText.hpp); finding gaps reads each
/// series' headers once more, and they are kept (`inspected`), so opening a series decodes its
/// pixels without reading its headers a third time. NotFound when nothing readable is there.
core::Result<FolderListing> listFolder(const std::filesystem::path& folder, std::size_t maxFiles = 2000);

/// "CT · Routine Brain (4 images)".
std::string seriesLabel(const io::DicomSeriesInfo& series);

}  // namespace meridian::ui
