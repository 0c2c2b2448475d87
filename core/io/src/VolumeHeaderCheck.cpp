#include "VolumeHeaderCheck.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include "BoundedInflate.hpp"
#include "DecodedSizeLimit.hpp"
#include "meridian/core/RegularFile.hpp"

namespace meridian::io::detail {

using core::ErrorCode;
using core::makeError;

namespace {

// True when `inner` is `outer` or lies under it (both canonical).
bool isInside(const std::filesystem::path& inner, const std::filesystem::path& outer) {
  auto o = outer.begin(), i = inner.begin();
  for (; o != outer.end(); ++o, ++i)
    if (i == inner.end() || *i != *o) return false;
  return true;
}

}  // namespace

HeaderLines readHeaderLines(const std::filesystem::path& path, std::uint64_t maxBytes, bool stopAtBlank) {
  HeaderLines out;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::uint64_t offset = 0;
  while (offset < maxBytes && std::getline(in, line)) {
    offset += line.size() + (in.eof() ? 0 : 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (stopAtBlank && line.empty()) {
      out.sawBlank = true;
      out.endOffsets.push_back(offset);
      break;
    }
    out.lines.push_back(line);
    out.endOffsets.push_back(offset);
  }
  return out;
}

core::Result<std::optional<std::uint64_t>> countVoxels(const std::string& field, const std::string& value) {
  std::istringstream in(value);
  std::uint64_t voxels = 1;
  long long n = 0;
  bool any = false;
  while (in >> n) {
    if (n < 1) return makeError(ErrorCode::Corrupt, field + " holds " + std::to_string(n));
    auto next = checkedProduct({voxels, static_cast<std::uint64_t>(n)});
    if (!next) return makeError(ErrorCode::Corrupt, field + " " + value + ": the voxels exceed any memory");
    voxels = *next;
    any = true;
  }
  if (!any) return std::optional<std::uint64_t>();
  return std::optional<std::uint64_t>(voxels);
}

core::Status checkFiniteNumbers(const std::string& field, const std::string& value) {
  std::string text = value;
  for (char& c : text)
    if (c == '(' || c == ')' || c == ',' || c == '[' || c == ']') c = ' ';
  std::istringstream tokens(text);
  std::string token;
  while (tokens >> token) {
    if (token == "none" || token == "???") continue;
    char* end = nullptr;
    const double v = std::strtod(token.c_str(), &end);
    if (end == token.c_str()) continue;  // not a number (a word such as "cell")
    if (!std::isfinite(v))
      return makeError(ErrorCode::Corrupt, "the header's " + field + " holds NaN or infinity (" + value + ")");
  }
  return core::Ok{};
}

core::Status checkVolumeHeader(const std::filesystem::path& path, const std::string& format) {
  if (format == "NIfTI") return checkNiftiHeader(path);
  if (format == "NRRD") return checkNrrdHeader(path);
  if (format == "MetaImage") return checkMetaImageHeader(path);
  return core::Ok{};
}

core::Result<std::filesystem::path> confinedDataFile(const std::filesystem::path& header, const std::string& name) {
  namespace fs = std::filesystem;
  if (name.empty()) return makeError(ErrorCode::Corrupt, "the header names no data file");
  const fs::path named(name);
  if (named.is_absolute())
    return makeError(ErrorCode::Unsupported, "the header names the data file " + name +
                                                 " by an absolute path; Meridian reads detached data only from the "
                                                 "header's own folder");
  std::error_code ec;
  const fs::path folder = fs::weakly_canonical(fs::absolute(header, ec).parent_path(), ec);
  const fs::path candidate = fs::absolute(header, ec).parent_path() / named;
  const fs::path resolved = fs::weakly_canonical(candidate, ec);  // follows every symlink that exists
  if (ec || !isInside(resolved, folder))
    return makeError(ErrorCode::Unsupported, "the header's data file " + name +
                                                 " lies outside the header's folder (refused: a header may only "
                                                 "name data beside it)");
  auto regular = core::checkRegularFile(candidate);
  if (!regular) {
    const auto& e = regular.error();
    return makeError(e.code == ErrorCode::NotFound ? ErrorCode::NotFound : ErrorCode::Unsupported,
                     "the header's data file " + e.message);
  }
  return candidate;
}

core::Status checkDataFilePattern(const std::string& pattern) {
  const std::filesystem::path p(pattern);
  if (p.is_absolute())
    return makeError(ErrorCode::Unsupported, "the header names its data files by an absolute path (" + pattern +
                                                 "); Meridian reads detached data only from the header's own folder");
  for (const auto& part : p)
    if (part == "..")
      return makeError(ErrorCode::Unsupported, "the header's data files (" + pattern +
                                                   ") lie outside the header's folder (refused)");
  return core::Ok{};
}

core::Status checkDataPresent(const std::filesystem::path& dataFile, std::uint64_t offset, std::uint64_t needed,
                              DataEncoding encoding) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(dataFile, ec);
  if (ec) return makeError(ErrorCode::Io, dataFile.filename().string() + ": " + ec.message());
  if (encoding == DataEncoding::Unchecked) return core::Ok{};
  if (offset > size)
    return makeError(ErrorCode::Corrupt, "the data is said to start at byte " + std::to_string(offset) + " of " +
                                             dataFile.filename().string() + ", which has only " + std::to_string(size));
  if (encoding == DataEncoding::Raw) {
    if (size - offset < needed)
      return makeError(ErrorCode::Corrupt, "truncated: " + dataFile.filename().string() + " holds " +
                                               std::to_string(size - offset) + " bytes of voxels where the header promises " +
                                               std::to_string(needed));
    return core::Ok{};
  }
  // Compressed: inflate it all (a few MiB of slack for trailing bytes some writers leave).
  const std::uint64_t slack = 16ULL << 20;
  auto inflated = inflatedSize(dataFile, offset, encoding == DataEncoding::Gzip ? Compression::Gzip : Compression::Zlib,
                               needed > ~0ULL - slack ? ~0ULL : needed + slack);
  if (!inflated) return inflated.error();
  if (inflated.value() < needed)
    return makeError(ErrorCode::Corrupt, "truncated: the compressed data holds " + std::to_string(inflated.value()) +
                                             " bytes where the header promises " + std::to_string(needed));
  return core::Ok{};
}

}  // namespace meridian::io::detail
