#pragma once
// The ITK and OpenSlide readers as the registry sees them: stand-ins that load their library
// (IoLibrary.hpp) only when a file may be theirs. The registry asks a reader only when it
// could beat the best score so far (ImageReader::maxScore): ITK's 0.5 loses to every other
// reader's claim, so a DICOM, PNG, JPEG or TIFF file never loads ITK; OpenSlide is asked
// only about files that start like a TIFF or carry a vendor's own extension (.vms, .vmu,
// .mrxs, .svslide), the formats OpenSlide 3.4 reads. Private to meridian_core_io.

#include <memory>

#include "meridian/io/ImageReader.hpp"

namespace meridian::io::detail {

std::unique_ptr<ImageReader> makeItkLibraryReader();
std::unique_ptr<ImageReader> makeOpenSlideLibraryReader();

/// True when `path` may be a slide OpenSlide reads: TIFF or BigTIFF magic, or a vendor's
/// own extension.
bool mightBeSlide(const std::filesystem::path& path);

}  // namespace meridian::io::detail
