#pragma once
#include <filesystem>

#include "meridian/core/Result.hpp"

namespace meridian::io::detail {

/// Walks the top-level data elements of a DICOM file (the meta header, then the data set
/// in its transfer syntax) without loading any value, and refuses a file in which an
/// element's defined length runs past the end of the file or whose explicit VR is not a
/// DICOM VR. DCMTK allocates such a length before noticing (the DICOM fuzzer found a
/// 4 GB allocation for an 8 KB file), so every DCMTK parse in Meridian goes through this
/// first. Sequences of undefined length and deflated data sets end the walk (DCMTK
/// parses items incrementally).
core::Status scanDicomLengths(const std::filesystem::path& path);

}  // namespace meridian::io::detail
