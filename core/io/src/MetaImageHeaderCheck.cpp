// MetaImage headers (.mha with local data, .mhd with detached), read by Meridian before
// ITK (see VolumeHeaderCheck.hpp). Keys and types follow ITK's MetaIO.

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

// MetaIO's MET_ValueTypeSize: MET_LONG is 4 bytes there, whatever the platform's long.
std::uint64_t typeBytes(const std::string& type) {
  static const std::map<std::string, std::uint64_t> sizes = {
      {"MET_CHAR", 1}, {"MET_UCHAR", 1}, {"MET_SHORT", 2}, {"MET_USHORT", 2}, {"MET_INT", 4}, {"MET_UINT", 4},
      {"MET_LONG", 4}, {"MET_ULONG", 4}, {"MET_LONG_LONG", 8}, {"MET_ULONG_LONG", 8}, {"MET_FLOAT", 4},
      {"MET_DOUBLE", 8}};
  const auto it = sizes.find(type);
  return it == sizes.end() ? 0 : it->second;
}

core::Error corrupt(const std::string& why) { return makeError(ErrorCode::Corrupt, "MetaImage header: " + why); }

}  // namespace

core::Status checkMetaImageHeader(const std::filesystem::path& path) {
  const HeaderLines header = readHeaderLines(path, 1 << 20, false);
  std::map<std::string, std::string> fields;
  std::vector<std::string> list;
  std::uint64_t dataOffset = 0;
  bool sawDataFile = false, inList = false;
  std::size_t pendingKey = 0;  // MetaIO reads a key up to the next '=', across line ends
  for (std::size_t i = 0; i < header.lines.size(); ++i) {
    const std::string& line = header.lines[i];
    if (!inList) {
      // MetaIO copies each key into a 255-byte buffer with strcpy (fuzz_volume found the
      // overflow, twice): longer keys and lines are refused here.
      const auto eq = line.find('=');
      pendingKey += eq == std::string::npos ? line.size() + 1 : eq;
      if (pendingKey > 250) return corrupt("a header key longer than 250 characters (damaged)");
      if (eq != std::string::npos) pendingKey = 0;
      // Values land in 255-byte buffers too (ElementDataFile's name among them, strcpy again).
      if (line.size() > 250) return corrupt("a header line longer than 250 characters (damaged)");
      if (line.find('\0') != std::string::npos) return corrupt("a NUL byte in the text header (damaged)");
    }
    if (inList) {
      if (!trim(line).empty()) list.push_back(trim(line));
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = lower(trim(line.substr(0, eq)));
    const std::string value = trim(line.substr(eq + 1));
    fields[key] = value;
    if (key == "elementdatafile") {  // always the last key: the data (or the list) follows
      sawDataFile = true;
      dataOffset = header.endOffsets[i];
      if (lower(value).rfind("list", 0) == 0) inList = true;
      else break;
    }
  }
  if (!sawDataFile) return corrupt("no ElementDataFile line (truncated header?)");
  for (const char* geometric : {"elementspacing", "offset", "position", "origin", "transformmatrix", "rotation",
                                "orientation", "centerofrotation", "elementsize"})
    if (auto it = fields.find(geometric); it != fields.end())
      if (auto finite = checkFiniteNumbers(geometric, it->second); !finite) return finite;

  std::uint64_t needed = 0;
  bool sizeKnown = false;
  if (auto dims = fields.find("dimsize"); dims != fields.end()) {
    auto voxels = countVoxels("DimSize", dims->second);
    if (!voxels) return corrupt(voxels.error().message);
    long long channels = 1;
    if (fields.count("elementnumberofchannels")) channels = std::atoll(fields["elementnumberofchannels"].c_str());
    if (channels < 1) return corrupt("ElementNumberOfChannels is " + std::to_string(channels));
    const std::uint64_t bytes = typeBytes(fields.count("elementtype") ? fields["elementtype"] : "");
    if (voxels.value() && bytes > 0) {
      auto total = claimedBytes({*voxels.value(), static_cast<std::uint64_t>(channels), bytes}, dims->second);
      if (!total) return total.error();
      needed = total.value();
      sizeKnown = true;
    }
  }
  const bool compressed = lower(fields.count("compresseddata") ? fields["compresseddata"] : "false") == "true";
  DataEncoding kind = !sizeKnown ? DataEncoding::Unchecked : compressed ? DataEncoding::Zlib : DataEncoding::Raw;
  long long headerSize = 0;
  if (fields.count("headersize")) headerSize = std::atoll(fields["headersize"].c_str());
  if (headerSize < -1) return corrupt("HeaderSize is " + std::to_string(headerSize));

  const std::string name = fields["elementdatafile"];
  std::filesystem::path dataFile;
  std::uint64_t offset = 0;
  if (name == "LOCAL") {
    dataFile = path;
    offset = dataOffset;
  } else if (lower(name).rfind("list", 0) == 0) {
    for (const auto& entry : list)
      if (auto confined = confinedDataFile(path, entry); !confined) return confined.error();
    return core::Ok{};
  } else if (name.find('%') != std::string::npos && name.find(' ') != std::string::npos) {
    return checkDataFilePattern(name.substr(0, name.find(' ')));
  } else {
    auto confined = confinedDataFile(path, name);
    if (!confined) return confined.error();
    dataFile = confined.value();
  }
  if (kind == DataEncoding::Unchecked) return core::Ok{};
  std::error_code ec;
  const std::uint64_t fileBytes = std::filesystem::file_size(dataFile, ec);
  if (ec) return makeError(ErrorCode::Io, ec.message());
  if (auto fits = checkDecodedSize(needed, fileBytes, kVolumeLimit, fields["dimsize"]); !fits) return fits;
  if (kind == DataEncoding::Raw && headerSize == -1) return checkDataPresent(dataFile, 0, needed, kind);  // data ends the file
  if (headerSize > 0 && name != "LOCAL") offset = static_cast<std::uint64_t>(headerSize);  // bytes to skip in a detached file
  return checkDataPresent(dataFile, offset, needed, kind);
}

}  // namespace meridian::io::detail
