#include "DicomStoredRange.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>

namespace meridian::io::detail {
namespace {

// The range Bits Stored allows, as DCMTK would hold the values.
StoredRange bitRange(const DicomImageHeader& h) {
  const int bits = std::clamp(h.bitsStored > 0 ? h.bitsStored : h.bitsAllocated, 1, 32);
  StoredRange r;
  if (h.pixelRepresentation == 1) {
    r.min = -std::ldexp(1.0, bits - 1);
    r.max = std::ldexp(1.0, bits - 1) - 1;
  } else {
    r.max = std::ldexp(1.0, bits) - 1;
  }
  return r;
}

}  // namespace

StoredRange storedRange(const std::filesystem::path& path, const DicomImageHeader& h, const DicomScanNotes& notes,
                        bool nativePixels) {
  const int allocated = h.bitsAllocated;
  const int stored = h.bitsStored > 0 ? h.bitsStored : allocated;
  const int high = h.bitsStored > 0 ? h.highBit : allocated - 1;
  const bool plain = (allocated == 8 || allocated == 16 || allocated == 32) && stored >= 1 && stored <= allocated &&
                     high >= stored - 1 && high < allocated && h.samplesPerPixel == 1 && !h.modalityLut;
  if (!nativePixels || !plain || !notes.pixelDataOffset || !notes.pixelDataLength) return bitRange(h);
  const std::uint64_t bytesPerSample = static_cast<std::uint64_t>(allocated / 8);
  // checkDecodedSize and checkDicomPixelDataLength have bounded these already.
  const std::uint64_t samples = static_cast<std::uint64_t>(h.rows) * h.columns * static_cast<std::uint64_t>(h.frames);
  if (samples == 0 || samples * bytesPerSample > *notes.pixelDataLength) return bitRange(h);
  std::ifstream in(path, std::ios::binary);
  if (!in.seekg(static_cast<std::streamoff>(*notes.pixelDataOffset))) return bitRange(h);

  const int shift = high + 1 - stored;
  const std::uint64_t mask = stored == 64 ? ~0ULL : ((1ULL << stored) - 1);
  const bool isSigned = h.pixelRepresentation == 1;
  std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = std::numeric_limits<std::int64_t>::min();
  std::array<unsigned char, 1 << 16> chunk{};
  std::uint64_t left = samples;
  while (left > 0) {
    const std::uint64_t n = std::min<std::uint64_t>(left, chunk.size() / bytesPerSample);
    if (!in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(n * bytesPerSample)))
      return bitRange(h);
    for (std::uint64_t i = 0; i < n; ++i) {
      const unsigned char* p = chunk.data() + i * bytesPerSample;
      std::uint64_t word = 0;
      for (std::uint64_t b = 0; b < bytesPerSample; ++b)
        word |= static_cast<std::uint64_t>(p[notes.bigEndian ? bytesPerSample - 1 - b : b]) << (8 * b);
      std::uint64_t value = (word >> shift) & mask;
      std::int64_t v = static_cast<std::int64_t>(value);
      if (isSigned && (value >> (stored - 1)) & 1u) v -= static_cast<std::int64_t>(1ULL << stored);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    left -= n;
  }
  return StoredRange{static_cast<double>(lo), static_cast<double>(hi), true};
}

}  // namespace meridian::io::detail
