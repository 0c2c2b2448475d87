#pragma once
#include "meridian/core/Result.hpp"

class DcmFileFormat;

namespace meridian::io::detail {

/// Checks that a loaded DICOM file's native (uncompressed) Pixel Data holds as many
/// bytes as Rows x Columns x Frames x Samples x BitsAllocated say. Some decoders (GDCM
/// through ITK among them) silently pad a short element; we refuse it instead.
/// Encapsulated (compressed) pixel data passes: its codec reports truncation itself.
core::Status checkDicomPixelDataLength(DcmFileFormat& file);

}  // namespace meridian::io::detail
