// NIfTI-1, NIfTI-2 and Analyze 7.5 headers, read by Meridian before ITK (see VolumeHeaderCheck.hpp).

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <system_error>

#include "DecodedSizeLimit.hpp"
#include "VolumeHeaderCheck.hpp"

namespace meridian::io::detail {
namespace {

using core::ErrorCode;
using core::makeError;

template <class T>
T at(const unsigned char* header, std::size_t offset, bool swap) {
  unsigned char b[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i) b[i] = swap ? header[offset + sizeof(T) - 1 - i] : header[offset + i];
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

core::Error corrupt(const std::string& why) { return makeError(ErrorCode::Corrupt, "NIfTI header: " + why); }

// The fields Meridian checks, from either header version.
struct NiftiFields {
  int version = 1;        // 1 (or Analyze), 2
  bool analyze = false;   // no NIfTI magic: Analyze 7.5, no qform/sform
  bool singleFile = true; // "n+1"/"n+2": voxels in the same file
  std::int64_t dim[8] = {};
  int bitpix = 0;
  double voxOffset = 0;
  double pixdim[8] = {};
  double sclSlope = 0, sclInter = 0;
  int qformCode = 0, sformCode = 0;
  double quatern[6] = {};  // b, c, d, qoffset x, y, z
  double srow[12] = {};
};

core::Result<NiftiFields> parse(const unsigned char* h, std::size_t bytes) {
  NiftiFields f;
  const std::int32_t sizeNative = at<std::int32_t>(h, 0, false);
  const std::int32_t sizeSwapped = at<std::int32_t>(h, 0, true);
  bool swap = false;
  if (sizeNative == 348 || sizeNative == 540) swap = false;
  else if (sizeSwapped == 348 || sizeSwapped == 540) swap = true;
  else return corrupt("the header size field reads " + std::to_string(sizeNative) + ", not 348 or 540");
  f.version = (swap ? sizeSwapped : sizeNative) == 540 ? 2 : 1;
  if (f.version == 2 && bytes < 540) return corrupt("truncated: shorter than a NIfTI-2 header");
  if (f.version == 1) {
    const char* magic = reinterpret_cast<const char*>(h + 344);
    f.analyze = std::memcmp(magic, "n+1", 4) != 0 && std::memcmp(magic, "ni1", 4) != 0;
    f.singleFile = std::memcmp(magic, "n+1", 4) == 0;
    for (int i = 0; i < 8; ++i) f.dim[i] = at<std::int16_t>(h, 40 + 2 * i, swap);
    f.bitpix = at<std::int16_t>(h, 72, swap);
    for (int i = 0; i < 8; ++i) f.pixdim[i] = at<float>(h, 76 + 4 * i, swap);
    f.voxOffset = at<float>(h, 108, swap);
    f.sclSlope = at<float>(h, 112, swap);
    f.sclInter = at<float>(h, 116, swap);
    f.qformCode = at<std::int16_t>(h, 252, swap);
    f.sformCode = at<std::int16_t>(h, 254, swap);
    for (int i = 0; i < 6; ++i) f.quatern[i] = at<float>(h, 256 + 4 * i, swap);
    for (int i = 0; i < 12; ++i) f.srow[i] = at<float>(h, 280 + 4 * i, swap);
  } else {
    f.singleFile = std::memcmp(h + 4, "n+2", 4) == 0;
    f.bitpix = at<std::int16_t>(h, 14, swap);
    for (int i = 0; i < 8; ++i) f.dim[i] = at<std::int64_t>(h, 16 + 8 * i, swap);
    for (int i = 0; i < 8; ++i) f.pixdim[i] = at<double>(h, 104 + 8 * i, swap);
    f.voxOffset = static_cast<double>(at<std::int64_t>(h, 168, swap));
    f.sclSlope = at<double>(h, 176, swap);
    f.sclInter = at<double>(h, 184, swap);
    f.qformCode = at<std::int32_t>(h, 344, swap);
    f.sformCode = at<std::int32_t>(h, 348, swap);
    for (int i = 0; i < 6; ++i) f.quatern[i] = at<double>(h, 352 + 8 * i, swap);
    for (int i = 0; i < 12; ++i) f.srow[i] = at<double>(h, 400 + 8 * i, swap);
  }
  return f;
}

core::Result<std::uint64_t> dataBytes(const NiftiFields& f) {
  const std::int64_t ndim = f.dim[0];
  if (ndim < 1 || ndim > 7) return corrupt("dim[0] is " + std::to_string(ndim) + ", not 1 to 7");
  std::string claimed;
  for (int i = 1; i <= ndim; ++i) {
    if (f.dim[i] < 1) return corrupt("dim[" + std::to_string(i) + "] is " + std::to_string(f.dim[i]));
    claimed += (i > 1 ? "x" : "") + std::to_string(f.dim[i]);
  }
  if (f.bitpix <= 0 || f.bitpix % 8 != 0) return corrupt("bitpix is " + std::to_string(f.bitpix));
  std::uint64_t voxels = 1;
  for (int i = 1; i <= ndim; ++i) {
    auto next = checkedProduct({voxels, static_cast<std::uint64_t>(f.dim[i])});
    if (!next) return corrupt("dimensions " + claimed + " exceed any memory");
    voxels = *next;
  }
  return claimedBytes({voxels, static_cast<std::uint64_t>(f.bitpix / 8)}, claimed);
}

core::Status checkFinite(const NiftiFields& f) {
  for (int i = 1; i <= std::min<std::int64_t>(f.dim[0], 7); ++i)
    if (!std::isfinite(f.pixdim[i])) return corrupt("voxel spacing pixdim[" + std::to_string(i) + "] is not a finite number");
  if (!f.analyze && f.qformCode > 0)
    for (double v : f.quatern)
      if (!std::isfinite(v)) return corrupt("the qform (orientation quaternion and offset) holds NaN or infinity");
  if (!f.analyze && f.sformCode > 0)
    for (double v : f.srow)
      if (!std::isfinite(v)) return corrupt("the sform (voxel-to-patient matrix) holds NaN or infinity");
  // A non-finite slope means "no scaling" to NIfTI readers; with a real slope, the
  // intercept must be real too, or every voxel would become NaN.
  if (std::isinf(f.sclSlope)) return corrupt("the intensity scale slope is infinite");
  if (std::isfinite(f.sclSlope) && f.sclSlope != 0.0 && !std::isfinite(f.sclInter))
    return corrupt("the intensity scale intercept is not a finite number");
  return core::Ok{};
}

// Up to `n` header bytes, through gzip when the name says so.
std::size_t readHead(const std::filesystem::path& path, unsigned char* out, std::size_t n) {
  gzFile z = gzopen(path.c_str(), "rb");  // reads plain files unchanged too
  if (!z) return 0;
  const int got = gzread(z, out, static_cast<unsigned>(n));
  gzclose(z);
  return got < 0 ? 0 : static_cast<std::size_t>(got);
}

}  // namespace

core::Status checkNiftiHeader(const std::filesystem::path& path) {
  const std::string name = lower(path.filename().string());
  std::filesystem::path headerFile = path;
  if (endsWith(name, ".img") || endsWith(name, ".img.gz")) {  // the voxels of a pair: its header is beside it
    const std::string base = path.filename().string().substr(0, name.size() - (endsWith(name, ".gz") ? 7 : 4));
    headerFile = path.parent_path() / (base + ".hdr");
  }
  std::array<unsigned char, 540> h{};
  const std::size_t got = readHead(headerFile, h.data(), h.size());
  if (got < 348) return corrupt("truncated: shorter than a NIfTI header");
  auto parsed = parse(h.data(), got);
  if (!parsed) return parsed.error();
  const NiftiFields& f = parsed.value();
  auto bytes = dataBytes(f);
  if (!bytes) return bytes.error();
  if (auto finite = checkFinite(f); !finite) return finite;
  if (!std::isfinite(f.voxOffset) || f.voxOffset < 0)
    return corrupt("vox_offset (where the voxels start) is " + std::to_string(f.voxOffset) + "; it cannot be negative");
  if (f.voxOffset > 1e15)  // before any integer conversion: no file is a petabyte
    return corrupt("vox_offset " + std::to_string(f.voxOffset) + " lies beyond the end of any file");
  const std::uint64_t headerBytes = f.version == 2 ? 544 : 352;
  std::uint64_t offset = static_cast<std::uint64_t>(f.voxOffset);
  if (f.singleFile && offset < headerBytes) offset = headerBytes;  // as NIfTI readers do

  // Where the voxels are: this file (n+1/n+2), or the .img beside a .hdr.
  std::filesystem::path dataFile = headerFile;
  if (!f.singleFile) {
    const std::string hname = headerFile.filename().string();
    const std::string base = hname.substr(0, hname.size() - (endsWith(lower(hname), ".hdr.gz") ? 7 : 4));
    std::error_code ec;
    dataFile = headerFile.parent_path() / (base + ".img");
    if (!std::filesystem::exists(dataFile, ec)) dataFile = headerFile.parent_path() / (base + ".img.gz");
    auto confined = confinedDataFile(headerFile, dataFile.filename().string());
    if (!confined) return confined.error();
  }
  std::error_code ec;
  const std::uint64_t fileBytes = std::filesystem::file_size(dataFile, ec);
  if (ec) return makeError(ErrorCode::NotFound, "the voxel file " + dataFile.filename().string() + " is missing");
  if (auto fits = checkDecodedSize(bytes.value(), fileBytes, kVolumeLimit, "its dimensions"); !fits) return fits;
  const bool gz = endsWith(lower(dataFile.filename().string()), ".gz");
  const std::uint64_t needed = offset + bytes.value();
  if (needed < offset) return corrupt("vox_offset " + std::to_string(offset) + " is beyond any file");
  if (!gz && offset > fileBytes)
    return corrupt("vox_offset " + std::to_string(offset) + " lies beyond the end of the " + std::to_string(fileBytes) +
                   "-byte file");
  return checkDataPresent(dataFile, 0, needed, gz ? DataEncoding::Gzip : DataEncoding::Raw);
}

}  // namespace meridian::io::detail
