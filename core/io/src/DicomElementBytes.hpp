#pragma once
// The bytes of one DICOM element header, as the two pre-DCMTK walks read them
// (DicomStructureCheck: nesting and sizes; DicomLengthScan: lengths and trailing padding).
// One copy of the VR table, the long-length rule (PS3.5 7.1.2), the byte order and how a
// file's first bytes are read.

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <system_error>

#include "meridian/core/Result.hpp"

namespace meridian::io::detail::dicom_bytes {

/// True when the two bytes at `p` spell a VR defined by PS3.5 6.2.
inline bool isVr(const unsigned char* p) {
  static const std::set<std::string> all = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT",
                                            "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST",
                                            "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV"};
  return all.count(std::string(reinterpret_cast<const char*>(p), 2)) != 0;
}

/// VRs whose explicit header has two reserved bytes and a 32-bit length (PS3.5 7.1.2).
inline bool longLength(const std::string& vr) {
  return vr == "OB" || vr == "OD" || vr == "OF" || vr == "OL" || vr == "OV" || vr == "OW" || vr == "SQ" || vr == "SV" ||
         vr == "UC" || vr == "UN" || vr == "UR" || vr == "UT" || vr == "UV";
}

inline std::uint32_t read16(const unsigned char* p, bool big) { return big ? (p[0] << 8) | p[1] : p[0] | (p[1] << 8); }
inline std::uint32_t read32(const unsigned char* p, bool big) {
  return big ? (std::uint32_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3]
             : p[0] | (p[1] << 8) | (p[2] << 16) | (std::uint32_t(p[3]) << 24);
}

/// "(gggg,eeee)", as messages name a tag.
inline std::string tagText(std::uint32_t group, std::uint32_t element) {
  char text[16];
  std::snprintf(text, sizeof text, "(%04x,%04x)", group, element);
  return text;
}

/// How a file starts. Without the Part 10 preamble ("DICM" at byte 128) both walks guess the
/// same way: explicit VR when bytes 4-5 spell a VR, big endian when the first group number
/// reads small only that way round (e.g. 00 08).
struct FileStart {
  std::uint64_t size = 0;
  bool part10 = false;
  bool explicitVr = false;  // the guess, for a file without the preamble
  bool bigEndian = false;   // the guess, for a file without the preamble
};

/// Opens `path` into `in` and reads its first 132 bytes (the walk goes on with `in`).
inline core::Result<FileStart> openFileStart(const std::filesystem::path& path, std::ifstream& in) {
  FileStart start;
  std::error_code ec;
  start.size = std::filesystem::file_size(path, ec);
  if (ec) return core::makeError(core::ErrorCode::Io, "cannot stat: " + ec.message());
  in.open(path, std::ios::binary);
  if (!in) return core::makeError(core::ErrorCode::Io, "cannot open");
  std::array<unsigned char, 132> preamble{};
  in.read(reinterpret_cast<char*>(preamble.data()), preamble.size());
  start.part10 = in && std::memcmp(preamble.data() + 128, "DICM", 4) == 0;
  start.explicitVr = start.size >= 6 && isVr(preamble.data() + 4);
  start.bigEndian = read16(preamble.data(), false) > 0xFF && read16(preamble.data(), true) <= 0xFF;
  return start;
}

}  // namespace meridian::io::detail::dicom_bytes
