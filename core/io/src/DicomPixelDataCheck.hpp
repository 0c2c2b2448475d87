#pragma once
#include <filesystem>

#include "meridian/core/Result.hpp"

namespace meridian::io::detail {

/// Checks, with DCMTK, that a DICOM file's native (uncompressed) Pixel Data holds as many
/// bytes as Rows x Columns x Frames x Samples x BitsAllocated say. Some decoders (GDCM
/// through ITK among them) silently pad a short element; we refuse it instead.
/// Encapsulated (compressed) pixel data passes: its codec reports truncation itself.
core::Status checkDicomPixelDataLength(const std::filesystem::path& path);

}  // namespace meridian::io::detail
