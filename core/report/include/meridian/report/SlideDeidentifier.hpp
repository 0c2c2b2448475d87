#pragma once
// A whole slide's de-identified copy: a TIFF-based slide (Aperio SVS, generic tiled TIFF, and
// other TIFF layouts that mark their associated images in ImageDescription) rewritten without
// its label and macro images -- the photographs of the glass slide that carry the patient's name,
// barcode and handwriting. Every other directory (the pyramid levels, the thumbnail) is copied
// tile by tile, compressed data as it is (no re-encoding, so pixels stay bit-identical).
// Identifying fields of an Aperio description (Filename, Date, Time, User, Barcode, ...) are
// removed, and the TIFF tags that name people, hosts or dates (Artist, HostComputer,
// DocumentName, DateTime) are not copied.
//
// The copy is written through core::AtomicFile: a failure leaves no half-written file.

#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::report {

struct SlideDeidSummary {
  std::vector<std::string> dropped;  // "label (directory 3)", "macro (directory 4)"
  std::size_t directoriesKept = 0;
  std::size_t descriptionFieldsRemoved = 0;  // Aperio "key = value" fields that could identify
};

/// True when the file starts with a TIFF or BigTIFF header.
bool looksLikeTiff(const std::filesystem::path& path);

/// Writes `input` (a TIFF-based slide) to `output` without its label and macro images.
/// Unsupported for a file that is not TIFF, or that stores its images in a way the copy cannot
/// keep as they are (old-style JPEG); the output is then not written.
core::Result<SlideDeidSummary> writeSlideWithoutLabel(const std::filesystem::path& input,
                                                      const std::filesystem::path& output,
                                                      const core::OutputPolicy& policy = {});

}  // namespace meridian::report
