#pragma once
// DICOM lookup tables (PS3.3 C.11): a VOI LUT Sequence item maps modality values to what
// a reader is meant to see (chest radiographs and mammograms rely on them); a Modality
// LUT Sequence item maps stored values to modality values. Qt- and VTK-free, so the CLI,
// the viewers and the tests apply them the same way.

#include <cstdint>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::core {

class Image2D;

struct LookupTable {
  /// Input value of the first entry (the descriptor's second value; signed when the
  /// pixel values can be negative).
  int firstMapped = 0;
  /// Bits per entry (the descriptor's third value): 8 gives an 8-bit result, 10..16 a 16-bit one.
  int bits = 16;
  std::vector<std::uint16_t> entries;
  std::string explanation;  // LUT Explanation, for a window menu

  /// Values below firstMapped give the first entry, values past the last entry the last
  /// one (PS3.3 C.11.2.1.1); non-integral inputs are rounded down.
  std::uint16_t map(double value) const;
};

/// Applies `lut` to a one-channel image: UInt8 when lut.bits <= 8, else UInt16, with the
/// same spacing, modality and photometric interpretation, and no VOI LUTs or window of
/// its own left (it is presented as is).
Result<Image2D> applyLookupTable(const Image2D& image, const LookupTable& lut);

}  // namespace meridian::core
