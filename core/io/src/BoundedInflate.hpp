#pragma once
// Inflating a compressed stream to the end, in constant memory, to learn what it really
// holds before a library decodes it: the gzip CRC and length of a .nii.gz, or that a
// MetaImage's zlib stream is whole. ITK's readers stop at the size the header promises and
// keep what they got (zeros, or garbage) from a damaged stream; this refuses it instead.

#include <cstdint>
#include <filesystem>

#include "meridian/core/Result.hpp"

namespace meridian::io::detail {

enum class Compression { Gzip, Zlib };

/// Inflates `path` from byte `offset` and returns how many bytes it holds. Refuses (Corrupt)
/// a damaged stream, a checksum that does not match, a stream that ends early, and more
/// than `maxBytes` of output (stopping there: a bomb costs no memory and bounded time).
/// Gzip members that follow one another are read as one stream, as gzread does.
core::Result<std::uint64_t> inflatedSize(const std::filesystem::path& path, std::uint64_t offset, Compression compression,
                                         std::uint64_t maxBytes);

}  // namespace meridian::io::detail
