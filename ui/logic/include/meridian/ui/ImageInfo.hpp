#pragma once
// The rows of the Image panel (property, value) for an opened file or DICOM series, made
// without Qt so tests read them directly.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ImageSummary.hpp"

namespace meridian::ui {

using InfoRows = std::vector<std::pair<std::string, std::string>>;

/// File, kind, format, size, pixel type, spacing, modality, µm per pixel and magnification
/// (slides), one row per pyramid level.
InfoRows describeImage(const std::filesystem::path& path, const io::ImageSummary& summary);

/// describeImage() of the loaded volume, headed by the series description, with the
/// patient, study date and one "Warning" row per loading warning.
InfoRows describeSeries(const io::DicomSeriesInfo& series, const io::ImageSummary& summary,
                        const std::vector<std::string>& warnings);

}  // namespace meridian::ui
