// NRRD headers (.nrrd with attached data, .nhdr with detached), read by Meridian before ITK
// (see VolumeHeaderCheck.hpp). Field names follow the NRRD0005 specification.

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <string>
#include <system_error>

#include "DecodedSizeLimit.hpp"
#include "VolumeHeaderCheck.hpp"

namespace meridian::io::detail {
namespace {

using core::ErrorCode;
using core::makeError;

// Bytes per sample of a NRRD "type:" value; 0 when unknown ("block").
std::uint64_t typeBytes(const std::string& type) {
  static const std::map<std::string, std::uint64_t> sizes = {
      {"signed char", 1}, {"int8", 1}, {"int8_t", 1}, {"uchar", 1}, {"unsigned char", 1}, {"uint8", 1},
      {"uint8_t", 1}, {"short", 2}, {"short int", 2}, {"signed short", 2}, {"signed short int", 2}, {"int16", 2},
      {"int16_t", 2}, {"ushort", 2}, {"unsigned short", 2}, {"unsigned short int", 2}, {"uint16", 2},
      {"uint16_t", 2}, {"int", 4}, {"signed int", 4}, {"int32", 4}, {"int32_t", 4}, {"uint", 4},
      {"unsigned int", 4}, {"uint32", 4}, {"uint32_t", 4}, {"longlong", 8}, {"long long", 8},
      {"long long int", 8}, {"signed long long", 8}, {"signed long long int", 8}, {"int64", 8}, {"int64_t", 8},
      {"ulonglong", 8}, {"unsigned long long", 8}, {"unsigned long long int", 8}, {"uint64", 8}, {"uint64_t", 8},
      {"float", 4}, {"double", 8}};
  const auto it = sizes.find(lower(type));
  return it == sizes.end() ? 0 : it->second;
}

core::Error corrupt(const std::string& why) { return makeError(ErrorCode::Corrupt, "NRRD header: " + why); }

}  // namespace

core::Status checkNrrdHeader(const std::filesystem::path& path) {
  const HeaderLines header = readHeaderLines(path, 1 << 20, true);
  if (header.lines.empty() || header.lines.front().rfind("NRRD", 0) != 0) return corrupt("no NRRD magic line");
  std::map<std::string, std::string> fields;
  std::vector<std::string> list;  // "data file: LIST": the names that follow
  bool inList = false;
  for (std::size_t i = 1; i < header.lines.size(); ++i) {
    const std::string& line = header.lines[i];
    if (inList) {
      if (!trim(line).empty()) list.push_back(trim(line));
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(": ");
    if (colon == std::string::npos || line.find(":=") < colon) continue;  // key/value pairs are not fields
    const std::string key = lower(trim(line.substr(0, colon)));
    fields[key == "datafile" ? "data file" : key] = trim(line.substr(colon + 2));
    if ((key == "data file" || key == "datafile") && lower(trim(line.substr(colon + 2))).rfind("list", 0) == 0)
      inList = true;
  }
  for (const char* geometric : {"spacings", "space directions", "space origin", "thicknesses", "axis mins", "axis maxs"})
    if (auto it = fields.find(geometric); it != fields.end())
      if (auto finite = checkFiniteNumbers(geometric, it->second); !finite) return finite;

  // How many bytes the header promises.
  std::uint64_t needed = 0;
  bool sizeKnown = false;
  if (auto sizes = fields.find("sizes"); sizes != fields.end()) {
    auto voxels = countVoxels("sizes", sizes->second);
    if (!voxels) return corrupt(voxels.error().message);
    const std::uint64_t bytes = typeBytes(fields.count("type") ? fields["type"] : "");
    if (voxels.value() && bytes > 0) {
      auto total = claimedBytes({*voxels.value(), bytes}, sizes->second);
      if (!total) return total.error();
      needed = total.value();
      sizeKnown = true;
    }
  }
  const std::string encoding = lower(fields.count("encoding") ? fields["encoding"] : "raw");
  DataEncoding kind = DataEncoding::Unchecked;
  if (encoding == "raw") kind = DataEncoding::Raw;
  else if (encoding == "gz" || encoding == "gzip") kind = DataEncoding::Gzip;
  long long byteSkip = 0, lineSkip = 0;
  if (fields.count("byte skip")) byteSkip = std::atoll(fields["byte skip"].c_str());
  if (fields.count("line skip")) lineSkip = std::atoll(fields["line skip"].c_str());
  if (byteSkip < -1 || lineSkip < 0) return corrupt("a negative byte or line skip");
  if (lineSkip > 0 || !sizeKnown) kind = DataEncoding::Unchecked;  // rare forms: ITK's own checks only

  // Where the data is: after the header, or in files beside it (confined to its folder).
  std::vector<std::filesystem::path> files;
  std::uint64_t offset = 0;
  auto dataFile = fields.find("data file");
  if (dataFile == fields.end()) {
    if (!header.sawBlank) return corrupt("truncated: the header never ends, and names no data file");
    files.push_back(path);
    offset = header.endOffsets.back();
  } else if (!list.empty() || lower(dataFile->second).rfind("list", 0) == 0) {
    for (const auto& name : list) {
      auto confined = confinedDataFile(path, name);
      if (!confined) return confined.error();
    }
    kind = DataEncoding::Unchecked;  // sizes split across files
  } else if (dataFile->second.find('%') != std::string::npos && dataFile->second.find(' ') != std::string::npos) {
    if (auto pattern = checkDataFilePattern(dataFile->second.substr(0, dataFile->second.find(' '))); !pattern)
      return pattern;
    kind = DataEncoding::Unchecked;
  } else {
    auto confined = confinedDataFile(path, dataFile->second);
    if (!confined) return confined.error();
    files.push_back(confined.value());
  }
  if (files.empty() || kind == DataEncoding::Unchecked) return core::Ok{};
  std::error_code ec;
  const std::uint64_t fileBytes = std::filesystem::file_size(files.front(), ec);
  if (ec) return makeError(ErrorCode::Io, ec.message());
  if (auto fits = checkDecodedSize(needed, fileBytes, kVolumeLimit, fields["sizes"]); !fits) return fits;
  if (kind == DataEncoding::Raw) {
    if (byteSkip == -1) return checkDataPresent(files.front(), 0, needed, kind);  // data ends the file
    return checkDataPresent(files.front(), offset + static_cast<std::uint64_t>(byteSkip), needed, kind);
  }
  if (byteSkip == -1) return corrupt("byte skip -1 with compressed data");
  return checkDataPresent(files.front(), offset, needed + static_cast<std::uint64_t>(byteSkip), kind);
}

}  // namespace meridian::io::detail
