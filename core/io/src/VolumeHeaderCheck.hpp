#pragma once
// Volume headers (NIfTI/Analyze, NRRD, MetaImage) checked by Meridian before ITK reads
// them, because ITK trusts them: NaN or Inf in a NIfTI sform/qform aborts inside VNL, a
// NRRD `data file:` or MHA `ElementDataFile` naming /etc/passwd or /dev/urandom is read as
// pixels, a negative vox_offset shifts every voxel, and a truncated or damaged compressed
// stream leaves zeros or garbage where ITK stops reading. Each check reads the header
// itself, confines detached data to the header's folder, and inflates compressed data to
// its end (bounded, checksummed) before ITK sees the file. Private to meridian_core_io.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::io::detail {

// Header text helpers shared by the NIfTI, NRRD and MetaImage checks.
inline std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

inline std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

/// Dispatches on ITK's format name ("NIfTI", "NRRD", "MetaImage"); other formats pass.
core::Status checkVolumeHeader(const std::filesystem::path& path, const std::string& format);

core::Status checkNiftiHeader(const std::filesystem::path& path);
core::Status checkNrrdHeader(const std::filesystem::path& path);
core::Status checkMetaImageHeader(const std::filesystem::path& path);

/// A detached data file named in `header`: relative, inside the header's folder once every
/// symlink is resolved, and a regular file. Returns its path, or why it is refused.
core::Result<std::filesystem::path> confinedDataFile(const std::filesystem::path& header, const std::string& name);

/// A multi-file form (LIST entries, or a printf pattern such as `slice%03d.raw`): relative
/// and without `..`, so every file it expands to stays inside the header's folder.
core::Status checkDataFilePattern(const std::string& pattern);

/// A text header's lines (CR stripped) and, for each, the byte offset just after it; at
/// most `maxBytes` are read. Lines stop at the first empty line when `stopAtBlank`.
struct HeaderLines {
  std::vector<std::string> lines;
  std::vector<std::uint64_t> endOffsets;
  bool sawBlank = false;  // an empty line ended the header: data follows at endOffsets.back()
};
HeaderLines readHeaderLines(const std::filesystem::path& path, std::uint64_t maxBytes, bool stopAtBlank);

/// Every number in `value` (brackets, commas and "none" ignored) is finite; else Corrupt
/// naming `field`: ITK turns NaN geometry into NaN directions or aborts in VNL.
core::Status checkFiniteNumbers(const std::string& field, const std::string& value);

/// The number of voxels a header's size field lists ("512 512 300": their product), nullopt
/// when it lists no number. Refused (the reason, naming `field`, without the format's prefix)
/// when a size is below 1 or the product exceeds 64 bits.
core::Result<std::optional<std::uint64_t>> countVoxels(const std::string& field, const std::string& value);

/// The data a header promises is there: `needed` bytes from `offset` of `dataFile`, raw or
/// compressed (inflated to its end, at most `needed` + a little, checksum checked).
enum class DataEncoding { Raw, Gzip, Zlib, Unchecked };
core::Status checkDataPresent(const std::filesystem::path& dataFile, std::uint64_t offset, std::uint64_t needed,
                              DataEncoding encoding);

}  // namespace meridian::io::detail
