#include "NiftiLengthCheck.hpp"

#include <zlib.h>

#include <array>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>

namespace meridian::io::detail {
namespace {

using core::ErrorCode;
using core::makeError;

template <class T>
T fromBytes(const unsigned char* p, bool swap) {
  unsigned char b[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i) b[i] = swap ? p[sizeof(T) - 1 - i] : p[i];
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

// Where the voxels start: vox_offset (a float at byte 108), at least 352 for .nii files.
std::uint64_t voxelStart(const std::array<unsigned char, 348>& header) {
  const bool swap = fromBytes<std::int32_t>(header.data(), false) != 348;
  const float voxOffset = fromBytes<float>(header.data() + 108, swap);
  return static_cast<std::uint64_t>(voxOffset < 352 ? 352 : voxOffset);
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

core::Status checkNiftiLength(const std::filesystem::path& path, std::uint64_t dataBytes) {
  const std::string name = path.filename().string();
  const bool gz = endsWith(name, ".nii.gz");
  if (!gz && !endsWith(name, ".nii")) return core::Ok{};  // .hdr/.img pairs: ITK checks the .img size
  std::error_code ec;
  const std::uint64_t fileBytes = std::filesystem::file_size(path, ec);
  if (ec) return makeError(ErrorCode::Io, "cannot stat: " + ec.message());
  std::array<unsigned char, 348> header{};
  if (gz) {
    // The header (for vox_offset) is inside the stream; the trailer's ISIZE must then
    // equal vox_offset + data bytes (mod 2^32): a cut stream leaves arbitrary bytes there.
    if (fileBytes < 18) return makeError(ErrorCode::Corrupt, "truncated: too short for a gzip stream");
    gzFile z = gzopen(path.c_str(), "rb");
    if (!z) return makeError(ErrorCode::Io, "cannot open the gzip stream");
    const int got = gzread(z, header.data(), static_cast<unsigned>(header.size()));
    gzclose(z);
    if (got != static_cast<int>(header.size())) return makeError(ErrorCode::Corrupt, "truncated: shorter than a NIfTI header");
    std::array<unsigned char, 4> trailer{};
    std::ifstream in(path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(fileBytes - 4));
    in.read(reinterpret_cast<char*>(trailer.data()), 4);
    const std::uint32_t isize = fromBytes<std::uint32_t>(trailer.data(), false);  // gzip is little-endian
    const std::uint64_t expected = voxelStart(header) + dataBytes;
    if (isize != static_cast<std::uint32_t>(expected & 0xFFFFFFFFu))
      return makeError(ErrorCode::Corrupt, "truncated or damaged: the gzip stream ends with a size of " + std::to_string(isize) +
                                               " bytes where the header promises " + std::to_string(expected));
    return core::Ok{};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(header.data()), header.size()))
    return makeError(ErrorCode::Corrupt, "truncated: shorter than a NIfTI header");
  const std::uint64_t needed = voxelStart(header) + dataBytes;
  if (fileBytes < needed)
    return makeError(ErrorCode::Corrupt, "truncated: the file has " + std::to_string(fileBytes) + " bytes, its header promises " +
                                             std::to_string(needed));
  return core::Ok{};
}

}  // namespace meridian::io::detail
