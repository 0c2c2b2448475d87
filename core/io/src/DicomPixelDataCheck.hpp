#pragma once
#include "meridian/core/Result.hpp"

class DcmFileFormat;

namespace meridian::io::detail {

/// Checks that a loaded DICOM file's native (uncompressed) Pixel Data holds as many
/// bytes as Rows x Columns x Frames x Samples x BitsAllocated say. Some decoders (GDCM
/// through ITK among them) silently pad a short element; we refuse it instead.
/// Encapsulated (compressed) pixel data: see checkJpegFrames.
core::Status checkDicomPixelDataLength(DcmFileFormat& file);

/// JPEG and JPEG-LS pixel data: every frame's stream starts with SOI and ends with EOI
/// (FFD8 ... FFD9, one pad byte allowed). DCMTK's decoders only warn on a stream that
/// ends early and hand back a mostly-zero image; a cut stream lacks its EOI, so it is
/// refused here instead. (A stream cut and then given a forged EOI is not caught.) Each
/// frame's stream must also be the size the header says: its frame header (SOF) gives the
/// same columns, rows and samples per pixel.
core::Status checkJpegFrames(DcmFileFormat& file);

}  // namespace meridian::io::detail
