#pragma once
// The range of a DICOM file's stored monochrome values, for describing the file without
// decoding it (meridian-cli info). Private to meridian_core_io.

#include <filesystem>
#include <utility>

#include "DicomDecoder.hpp"
#include "DicomLengthScan.hpp"

namespace meridian::io::detail {

/// Native (uncompressed) pixels: the smallest and largest stored value, read from the file
/// in fixed-size chunks (nothing decoded, nothing the size of the image allocated), after
/// the masking and sign extension DCMTK applies (Bits Stored, High Bit, Pixel
/// Representation). Compressed or deflated pixels, or a layout this does not cover: the
/// range Bits Stored allows, which is wider than the data's own. Then the pixel type that
/// follows (monochromeType) can be wider than the one decoding picks; `exact` says which.
struct StoredRange {
  double min = 0.0, max = 0.0;
  bool exact = false;  // read from the pixels, not assumed from Bits Stored
};
StoredRange storedRange(const std::filesystem::path& path, const DicomImageHeader& header, const DicomScanNotes& notes,
                        bool nativePixels);

}  // namespace meridian::io::detail
