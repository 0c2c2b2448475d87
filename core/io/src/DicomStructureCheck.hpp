#pragma once
// A walk over every data element of a DICOM file, items and sequences included, done with
// an explicit stack before DCMTK parses anything. DCMTK reads nested sequences by
// recursion: a file of ~10,000 items nested in each other overflows the stack (SIGSEGV),
// and one such file in a folder took down a whole folder scan. A deflated data set is
// walked through zlib as it inflates, so a small file that inflates to gigabytes of
// anything but the pixels its header declares is refused before DCMTK inflates it.

#include <cstdint>
#include <filesystem>

#include "meridian/core/Result.hpp"

namespace meridian::io::detail {

struct DicomStructureLimits {
  int maxDepth = 64;                        // sequences + items open at once; real objects stay under ~10
  std::uint64_t maxElements = 2'000'000;    // elements + items: DCMTK spends ~200 bytes on each
  std::uint64_t maxInflatedOverhead = 64ULL << 20;  // deflated: inflated bytes beyond the declared pixels
};

/// Ok when the file's element structure is within the limits and self-consistent inside
/// sequences; Corrupt naming the first element at fault otherwise. Anomalies at the top
/// level are left to scanDicomLengths and DCMTK (this walk then stops early).
core::Status checkDicomStructure(const std::filesystem::path& path, const DicomStructureLimits& limits = {});

}  // namespace meridian::io::detail
