#include "meridian/io/DicomSeries.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>
#include <sstream>
#include <type_traits>

#include "DicomDecoder.hpp"
#include "DicomGeometry.hpp"
#include "DicomLengthScan.hpp"
#include "meridian/core/ParallelFor.hpp"

namespace meridian::io {
namespace {

using core::ErrorCode;
using core::makeError;

// One slice's header, for ordering and checks.
struct SliceHeader {
  std::filesystem::path file;
  detail::DicomImageHeader header;
  double along = 0.0;  // position along the slice normal
};

core::Result<SliceHeader> readSliceHeader(const std::filesystem::path& file) {
  if (auto lengths = detail::scanDicomLengths(file); !lengths)
    return makeError(lengths.error().code, file.string() + ": " + lengths.error().message);
  DcmFileFormat ff;
  const OFCondition status = ff.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect,
                                                 DCM_PixelData);
  if (status.bad()) return makeError(ErrorCode::Corrupt, file.string() + ": " + detail::parseError(status).message);
  auto header = detail::readImageHeader(ff, /*pixelDataLoaded=*/false);
  if (!header) return makeError(header.error().code, file.string() + ": " + header.error().message);
  std::error_code ec;
  if (auto size = detail::checkDecodedSize(header.value(), std::filesystem::file_size(file, ec)); !size)
    return makeError(size.error().code, file.string() + ": " + size.error().message);
  return SliceHeader{file, std::move(header).value(), 0.0};
}

bool nearlyEqual(const std::array<double, 6>& a, const std::array<double, 6>& b) {
  for (int i = 0; i < 6; ++i)
    if (std::abs(a[i] - b[i]) > 1e-4) return false;
  return true;
}

std::string mm(double v) {
  std::ostringstream s;
  s.precision(4);
  s << v << " mm";
  return s.str();
}

template <class In, class Out>
void rescaleInto(const In* in, std::size_t n, double slope, double intercept, Out* out) {
  if constexpr (std::is_same_v<Out, std::int16_t> && sizeof(In) <= 2 && std::is_integral_v<In>) {
    // 16-bit input, integral slope and intercept (checked by the caller): 32-bit integer
    // arithmetic the compiler vectorises; a 64-bit path covers slopes too large for it.
    const long long a = std::llround(slope), b = std::llround(intercept);
    if (a >= -32767 && a <= 32767 && b >= -(1LL << 30) && b <= (1LL << 30)) {
      const std::int32_t a32 = static_cast<std::int32_t>(a), b32 = static_cast<std::int32_t>(b);
      for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<std::int16_t>(std::min(32767, std::max(-32768, static_cast<std::int32_t>(in[i]) * a32 + b32)));
      return;
    }
    for (std::size_t i = 0; i < n; ++i)
      out[i] = static_cast<std::int16_t>(std::clamp(static_cast<long long>(in[i]) * a + b, -32768LL, 32767LL));
  } else if constexpr (std::is_same_v<Out, std::int16_t>) {
    for (std::size_t i = 0; i < n; ++i) {
      long long value;
      if constexpr (std::is_floating_point_v<In>) value = std::llround(in[i] * slope + intercept);
      else value = static_cast<long long>(in[i]) * std::llround(slope) + std::llround(intercept);
      out[i] = static_cast<std::int16_t>(std::clamp(value, -32768LL, 32767LL));
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Out>(in[i] * slope + intercept);
  }
}

template <class Out>
void storeSliceAs(const detail::DecodedPixels& px, Out* out) {
  const std::size_t n = static_cast<std::size_t>(px.width) * px.height;
  switch (px.type) {
    case core::PixelType::UInt8: return rescaleInto(px.bytes.data(), n, 1.0, 0.0, out);
    case core::PixelType::Int16: return rescaleInto(reinterpret_cast<const std::int16_t*>(px.bytes.data()), n, 1.0, 0.0, out);
    case core::PixelType::UInt16: return rescaleInto(reinterpret_cast<const std::uint16_t*>(px.bytes.data()), n, 1.0, 0.0, out);
    case core::PixelType::Float32: return rescaleInto(reinterpret_cast<const float*>(px.bytes.data()), n, 1.0, 0.0, out);
  }
}

// Native 16-bit monochrome (the usual CT/MR slice): rescale the stored values straight
// from DCMTK's buffer into the volume. Returns false when the file needs the general path.
template <class Out>
bool decodeNative16(DcmFileFormat& file, const detail::DicomImageHeader& h, Out* out) {
  DcmDataset& ds = *file.getDataset();
  if (h.bitsAllocated != 16 || h.samplesPerPixel != 1 || h.frames != 1 ||
      (h.photometric != "MONOCHROME2" && h.photometric != "MONOCHROME1"))
    return false;
  // Compressed (JPEG, JPEG-LS, RLE): let DCMTK's codec decompress the element in place,
  // which avoids DicomImage's intermediate copies. JPEG 2000 has no DCMTK codec.
  if (DcmXfer(ds.getOriginalXfer()).isEncapsulated() &&
      (detail::needsJpeg2000(file) || ds.chooseRepresentation(EXS_LittleEndianExplicit, nullptr).bad()))
    return false;
  Uint16 bitsStored = 16, representation = 0;
  ds.findAndGetUint16(DCM_BitsStored, bitsStored);
  ds.findAndGetUint16(DCM_PixelRepresentation, representation);
  if (bitsStored != 16 && !(representation == 0 && bitsStored < 16)) return false;  // signed < 16 bits: general path
  const Uint16* words = nullptr;
  if (ds.findAndGetUint16Array(DCM_PixelData, words).bad() || !words) return false;
  const std::size_t n = static_cast<std::size_t>(h.rows) * h.columns;
  if (representation == 1) rescaleInto(reinterpret_cast<const std::int16_t*>(words), n, h.rescaleSlope, h.rescaleIntercept, out);
  else if (bitsStored == 16) rescaleInto(words, n, h.rescaleSlope, h.rescaleIntercept, out);
  else {
    std::vector<Uint16> masked(words, words + n);  // unused high bits may hold overlays
    const Uint16 mask = static_cast<Uint16>((1u << bitsStored) - 1);
    for (auto& w : masked) w &= mask;
    rescaleInto(masked.data(), n, h.rescaleSlope, h.rescaleIntercept, out);
  }
  return true;
}

// Loads one slice file and writes its rescaled pixels into slice k of the volume.
core::Status decodeSliceInto(const std::filesystem::path& path, core::Volume& volume, int k) {
  auto file = detail::loadDicomFile(path);
  if (!file) return file.error();
  auto header = detail::readImageHeader(*file.value());
  if (!header) return header.error();
  const auto& h = header.value();
  const std::size_t n = static_cast<std::size_t>(volume.size()[0]) * volume.size()[1];
  if (static_cast<std::size_t>(h.rows) * h.columns != n) return makeError(ErrorCode::Corrupt, "slice size changed");
  const bool asInt16 = volume.pixelType() == core::PixelType::Int16;
  auto* int16Out = reinterpret_cast<std::int16_t*>(volume.data()) + n * k;
  auto* floatOut = reinterpret_cast<float*>(volume.data()) + n * k;
  if (asInt16 ? decodeNative16(*file.value(), h, int16Out) : decodeNative16(*file.value(), h, floatOut))
    return core::Ok{};
  auto pixels = detail::decodePixels(*file.value(), h);
  if (!pixels) return pixels.error();
  if (asInt16) storeSliceAs(pixels.value(), int16Out);
  else storeSliceAs(pixels.value(), floatOut);
  return core::Ok{};
}

}  // namespace

core::Result<LoadedSeries> loadDicomSeries(const DicomSeriesInfo& series) {
  if (series.files.empty()) return makeError(ErrorCode::InvalidArgument, "the series has no files");
  detail::registerDicomCodecs();
  std::vector<std::optional<core::Result<SliceHeader>>> read(series.files.size());
  core::parallelFor(series.files.size(), [&](std::size_t i) { read[i] = readSliceHeader(series.files[i]); });
  std::vector<SliceHeader> slices;
  for (auto& r : read) {
    if (!r->ok()) return r->error();
    slices.push_back(std::move(*r).value());
  }
  const auto& first = slices.front().header;
  for (const auto& s : slices) {
    if (s.header.rows != first.rows || s.header.columns != first.columns)
      return makeError(ErrorCode::Unsupported, "slices differ in size (" + s.file.filename().string() +
                                                   "): not one volume");
    if (s.header.frames != 1 || s.header.samplesPerPixel != 1)
      return makeError(ErrorCode::Unsupported, s.file.string() + ": multi-frame or colour file in a slice series");
  }
  LoadedSeries result;
  std::array<double, 6> orientation{1, 0, 0, 0, 1, 0};
  const bool haveGeometry = std::all_of(slices.begin(), slices.end(), [](const SliceHeader& s) {
    return s.header.position && s.header.orientation;
  });
  if (haveGeometry) {
    orientation = *first.orientation;
    for (const auto& s : slices)
      if (!nearlyEqual(*s.header.orientation, orientation))
        return makeError(ErrorCode::Unsupported, "slices have different orientations (" + s.file.filename().string() +
                                                     "): a localizer or a mixed series, not one volume");
    const core::Vec3 normal = detail::sliceNormal(orientation);
    for (auto& s : slices) s.along = detail::dot(*s.header.position, normal);
    std::sort(slices.begin(), slices.end(), [](const SliceHeader& a, const SliceHeader& b) { return a.along < b.along; });
  } else if (slices.size() > 1) {
    result.warnings.push_back("slices carry no position/orientation: ordered by file name, spacing assumed from the header");
    std::sort(slices.begin(), slices.end(), [](const SliceHeader& a, const SliceHeader& b) { return a.file < b.file; });
  }

  // Spacing along the normal from the positions; irregular gaps are reported, not hidden.
  double zSpacing = first.spacingBetweenSlices.value_or(first.sliceThickness.value_or(1.0));
  if (haveGeometry && slices.size() > 1) {
    std::vector<double> gaps;
    for (std::size_t i = 1; i < slices.size(); ++i) gaps.push_back(slices[i].along - slices[i - 1].along);
    for (std::size_t i = 0; i < gaps.size(); ++i)
      if (gaps[i] < 1e-3)
        return makeError(ErrorCode::Unsupported, slices[i].file.filename().string() + " and " +
                                                     slices[i + 1].file.filename().string() +
                                                     " lie at the same position (several acquisitions in one series?)");
    std::vector<double> sorted = gaps;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    zSpacing = sorted[sorted.size() / 2];
    const auto [lo, hi] = std::minmax_element(gaps.begin(), gaps.end());
    if (*hi - *lo > 0.01 * zSpacing)
      result.warnings.push_back("irregular slice spacing: gaps from " + mm(*lo) + " to " + mm(*hi) +
                                "; the volume assumes " + mm(zSpacing) + " everywhere");
    // Gantry tilt: positions that do not advance along the normal shear the volume.
    const core::Vec3 a = *slices.front().header.position, b = *slices.back().header.position;
    const core::Vec3 d{b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    const double cosine = (slices.back().along - slices.front().along) / std::max(detail::norm(d), 1e-9);
    const double degrees = std::acos(std::clamp(cosine, -1.0, 1.0)) * 180.0 / M_PI;
    if (degrees > 0.1)
      result.warnings.push_back("gantry tilt of " + std::to_string(degrees).substr(0, 5) +
                                " degrees: slices are sheared; geometry shown without correction");
  }

  // Output type: int16 when every slice's rescale is integral, else float32.
  const bool integral = std::all_of(slices.begin(), slices.end(), [](const SliceHeader& s) {
    return std::floor(s.header.rescaleSlope) == s.header.rescaleSlope &&
           std::floor(s.header.rescaleIntercept) == s.header.rescaleIntercept;
  });
  auto volume = core::Volume::allocate({first.columns, first.rows, static_cast<int>(slices.size())},
                                       integral ? core::PixelType::Int16 : core::PixelType::Float32,
                                       core::PixelBuffer::Init::Uninitialized);  // every slice is written below
  if (!volume) return volume.error();
  result.volume = std::move(volume).value();
  core::Volume& v = result.volume;
  const auto px = first.pixelSpacing.value_or(std::array<double, 2>{1.0, 1.0});
  v.spacing = {px[0], px[1], zSpacing};
  if (haveGeometry) {
    v.origin = *slices.front().header.position;
    v.direction = detail::directionFromOrientation(orientation);
  }
  v.modality = first.modality;

  // Decode slices in parallel, each straight into its place in the volume.
  std::mutex errorMutex;
  std::optional<core::Error> failure;
  core::parallelFor(slices.size(), [&](std::size_t k) {
    auto status = decodeSliceInto(slices[k].file, v, static_cast<int>(k));
    if (!status) {
      std::lock_guard lock(errorMutex);
      if (!failure) failure = makeError(status.error().code, slices[k].file.string() + ": " + status.error().message);
    }
  });
  if (failure) return *failure;
  return result;
}

}  // namespace meridian::io
