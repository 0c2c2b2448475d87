#pragma once
// One rule for every reader: a header that claims far more decoded pixel bytes than its
// file could hold, even at the format's best compression, is damage or a decompression
// bomb. Checking it before allocating is what keeps a 762-byte JPEG from asking for 3.4 GB.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "meridian/core/Result.hpp"

namespace meridian::io::detail {

struct DecodedSizeLimit {
  std::uint64_t maxRatio = 2000;             // decoded bytes per file byte a real image never exceeds
  std::uint64_t ratioFloorBytes = 64ULL << 10;  // below this the ratio is not checked: tiny images compress absurdly well
  std::uint64_t maxDecodedBytes = 8ULL << 30;  // refused whatever the file size
};

/// Deflate (PNG) tops out near 1032:1, so the ratio alone lets a 4 MB PNG of zeros claim
/// 4 GB: a 2D picture is also capped at 1 GiB decoded (23k x 23k RGB); larger images are
/// slides, which OpenSlide reads tile by tile.
inline constexpr DecodedSizeLimit kDeflateLimit{1100, 64ULL << 10, 1ULL << 30};
/// JPEG, LZW, JPEG-LS, RLE and JPEG 2000 stay far below 2000:1 on real images.
inline constexpr DecodedSizeLimit kImageLimit{2000, 64ULL << 10, 1ULL << 30};
/// Volumes (DICOM, NIfTI, NRRD, MHA): gzip'd masks and flat volumes compress far better than
/// photos, so the ratio applies only above 256 MiB.
inline constexpr DecodedSizeLimit kVolumeLimit{2000, 256ULL << 20, 8ULL << 30};
/// A slide's associated images (label, macro, thumbnail), counted as the ARGB OpenSlide
/// fills (4 bytes a pixel): real ones are a few Mpixel, so 64 Mpixel (256 MiB) is ample.
/// The cap bounds the worst case: that buffer, libtiff's strip buffer and the RGB copy stay
/// under 1 GiB together, where 256 Mpixel took a 22 KB file past 2 GB (found by fuzz_slide).
inline constexpr DecodedSizeLimit kAssociatedImageLimit{2000, 64ULL << 10, 256ULL << 20};

/// The product of a header's size fields (rows, columns, frames, samples, bytes per sample,
/// ...) in 64 bits, or nullopt when it wraps past 2^64: a header can claim 65535 x 65535 x
/// 2^31 frames x 65535 samples, whose product modulo 2^64 looks small and would pass every
/// later check before the allocation it drives fails. Every reader multiplies through this.
inline std::optional<std::uint64_t> checkedProduct(std::initializer_list<std::uint64_t> factors) {
  std::uint64_t product = 1;
  for (const std::uint64_t f : factors)
    if (__builtin_mul_overflow(product, f, &product)) return std::nullopt;
  return product;
}

/// checkedProduct, with the refusal a user reads when it wraps (`claimed` as below).
inline core::Result<std::uint64_t> claimedBytes(std::initializer_list<std::uint64_t> factors, const std::string& claimed) {
  if (auto product = checkedProduct(factors)) return *product;
  return core::makeError(core::ErrorCode::Corrupt,
                         "header claims " + claimed + ", a size beyond any memory (damaged or hostile file)");
}

/// `claimed` names the size in the header's own terms ("512x512x300") for the message.
inline core::Status checkDecodedSize(std::uint64_t decodedBytes, std::uint64_t fileBytes, const DecodedSizeLimit& limit,
                                     const std::string& claimed) {
  const bool ratioExceeded = decodedBytes > limit.ratioFloorBytes && decodedBytes / limit.maxRatio >= fileBytes + 1;
  if (decodedBytes <= limit.maxDecodedBytes && !ratioExceeded) return core::Ok{};
  if (decodedBytes > limit.maxDecodedBytes)
    return core::makeError(core::ErrorCode::Unsupported,
                           "header claims " + claimed + " (" + std::to_string(decodedBytes >> 20) +
                               " MiB of pixels), more than the " + std::to_string(limit.maxDecodedBytes >> 20) +
                               " MiB Meridian decodes from one file of this kind");
  return core::makeError(core::ErrorCode::Corrupt, "header claims " + claimed + " (" +
                                                       std::to_string(decodedBytes >> 20) +
                                                       " MiB of pixels), more than this " + std::to_string(fileBytes) +
                                                       "-byte file can hold");
}

}  // namespace meridian::io::detail
