#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>

#include "meridian/core/Result.hpp"

namespace meridian::io::detail {

/// Walks the top-level data elements of a DICOM file (the meta header, then the data set
/// in its transfer syntax) without loading any value, and refuses a file in which an
/// element's defined length runs past the end of the file or whose explicit VR is not a
/// DICOM VR. DCMTK allocates such a length before noticing (the DICOM fuzzer found a
/// 4 GB allocation for an 8 KB file), so every DCMTK parse in Meridian goes through this
/// first. Sequences of undefined length and deflated data sets end the walk (DCMTK
/// parses items incrementally).
///
/// Trailing padding: bytes after the last data element that do not parse as one (zeros,
/// random bytes, a partial element header; seen in files from real archives) are accepted
/// as DCMTK's and pydicom's readers accept them, and reported in `notes`. An element counts
/// as padding when its tag does not ascend (a data set's tags always do, so zeros read as
/// (0000,0000) after the last element), when fewer than a header's bytes remain, or when it
/// follows the Pixel Data and does not parse. A Pixel Data or earlier element whose length
/// runs past the end is still refused: that is truncation or a length bomb, not padding.
struct DicomScanNotes {
  std::optional<std::uint64_t> paddingOffset;  // file offset where trailing padding starts
  std::uint64_t paddingBytes = 0;
  std::uint32_t failedTag = 0;       // on failure: (group << 16) | element of the refused element
  bool pixelDataSeen = false;        // a top-level (7FE0,0010) was walked (or refused)
  bool deflated = false;             // the data set is deflated (walked by checkDicomStructure instead)
  /// A top-level Pixel Data of defined length (native pixels) that fits in the file: where
  /// its value starts, its length, and the byte order of its words.
  std::optional<std::uint64_t> pixelDataOffset, pixelDataLength;
  bool bigEndian = false;
};
core::Status scanDicomLengths(const std::filesystem::path& path, DicomScanNotes* notes = nullptr);

}  // namespace meridian::io::detail
