#include "meridian/io/DicomSeries.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>
#include <type_traits>

#include "DicomDecoder.hpp"
#include "DicomGeometry.hpp"
#include "DicomLengthScan.hpp"
#include "DicomPixelDataCheck.hpp"
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
  detail::DicomScanNotes notes;
  if (auto lengths = detail::scanDicomLengths(file, &notes); !lengths)
    return makeError(lengths.error().code, file.string() + ": " + lengths.error().message);
  // The whole structure, values over 4 KB left on disk: DCMTK then also checks the
  // elements the length walk does not reach (after a sequence of undefined length), so a
  // slice cut short is found here, from headers, not only when its pixels are decoded.
  // With trailing padding the walk has checked every element up to it already.
  DcmFileFormat ff;
  const OFCondition status =
      notes.paddingOffset
          ? ff.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect, DCM_PixelData)
          : ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect);
  if (status.bad()) return makeError(ErrorCode::Corrupt, file.string() + ": " + detail::parseError(status).message);
  if (auto length = detail::checkDicomPixelDataLength(ff); !length)
    return makeError(length.error().code, file.string() + ": " + length.error().message);
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

// Checks that the slices make one volume, orders them and fills the layout's geometry,
// gaps and warnings (not `unreadable`, which the caller owns).
core::Status layoutSlices(std::vector<SliceHeader>& slices, DicomSeriesLayout& out) {
  const auto& first = slices.front().header;
  for (const auto& s : slices) {
    if (s.header.rows != first.rows || s.header.columns != first.columns)
      return makeError(ErrorCode::Unsupported, "slices differ in size (" + s.file.filename().string() +
                                                   "): not one volume");
    if (s.header.frames != 1 || s.header.samplesPerPixel != 1)
      return makeError(ErrorCode::Unsupported, s.file.string() + ": multi-frame or colour file in a slice series");
  }
  out.warnings.clear();
  out.missingPositions.clear();
  out.irregularSpacing = false;
  std::array<double, 6> orientation{1, 0, 0, 0, 1, 0};
  out.haveGeometry = std::all_of(slices.begin(), slices.end(), [](const SliceHeader& s) {
    return s.header.position && s.header.orientation;
  });
  if (out.haveGeometry) {
    orientation = *first.orientation;
    for (const auto& s : slices)
      if (!nearlyEqual(*s.header.orientation, orientation))
        return makeError(ErrorCode::Unsupported, "slices have different orientations (" + s.file.filename().string() +
                                                     "): a localizer or a mixed series, not one volume");
    const core::Vec3 normal = detail::sliceNormal(orientation);
    for (auto& s : slices) s.along = detail::dot(*s.header.position, normal);
    std::sort(slices.begin(), slices.end(), [](const SliceHeader& a, const SliceHeader& b) { return a.along < b.along; });
  } else if (slices.size() > 1) {
    out.warnings.push_back("slices carry no position/orientation: ordered by file name, spacing assumed from the header");
    std::sort(slices.begin(), slices.end(), [](const SliceHeader& a, const SliceHeader& b) { return a.file < b.file; });
  }

  // Spacing along the normal from the positions; irregular gaps are reported, not hidden.
  const auto& front = slices.front().header;
  double zSpacing = front.spacingBetweenSlices.value_or(front.sliceThickness.value_or(1.0));
  if (out.haveGeometry && slices.size() > 1) {
    std::vector<double> gaps;
    for (std::size_t i = 1; i < slices.size(); ++i) gaps.push_back(slices[i].along - slices[i - 1].along);
    for (std::size_t i = 0; i < gaps.size(); ++i)
      if (gaps[i] < 1e-3)
        return makeError(ErrorCode::Unsupported, slices[i].file.filename().string() + " and " +
                                                     slices[i + 1].file.filename().string() +
                                                     " lie at the same position (several acquisitions in one series?)");
    std::vector<double> sorted = gaps;
    std::sort(sorted.begin(), sorted.end());
    zSpacing = sorted[sorted.size() / 2];
    // The lower median for gap finding: with one slice missing out of four, the upper
    // median would be the hole itself.
    const double step = sorted[(sorted.size() - 1) / 2];
    const auto [lo, hi] = std::minmax_element(gaps.begin(), gaps.end());
    if (*hi - *lo > 0.01 * zSpacing) {
      out.irregularSpacing = true;
      out.warnings.push_back("irregular slice spacing: gaps from " + mm(*lo) + " to " + mm(*hi) +
                             "; the volume assumes " + mm(zSpacing) + " everywhere");
    }
    // A gap wider than 1.5 steps: a slice should be there (removed, never received).
    constexpr std::size_t kMaxListed = 10000;
    for (std::size_t i = 0; i < gaps.size() && gaps.size() >= 2; ++i) {
      if (gaps[i] <= 1.5 * step) continue;
      const long long count = std::max(1LL, std::llround(gaps[i] / step) - 1);
      const core::Vec3 a = *slices[i].header.position, b = *slices[i + 1].header.position;
      for (long long k = 1; k <= count && out.missingPositions.size() < kMaxListed; ++k) {
        const double t = static_cast<double>(k) / static_cast<double>(count + 1);
        out.missingPositions.push_back({a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])});
      }
    }
    // Gantry tilt: positions that do not advance along the normal shear the volume.
    const core::Vec3 a = *slices.front().header.position, b = *slices.back().header.position;
    const core::Vec3 d{b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    const double cosine = (slices.back().along - slices.front().along) / std::max(detail::norm(d), 1e-9);
    const double degrees = std::acos(std::clamp(cosine, -1.0, 1.0)) * 180.0 / M_PI;
    if (degrees > 0.1)
      out.warnings.push_back("gantry tilt of " + std::to_string(degrees).substr(0, 5) +
                             " degrees: slices are sheared; geometry shown without correction");
  }
  out.size = {front.columns, front.rows, static_cast<int>(slices.size())};
  const auto px = front.pixelSpacing.value_or(std::array<double, 2>{1.0, 1.0});
  out.spacing = {px[0], px[1], zSpacing};
  out.origin = {0.0, 0.0, 0.0};
  out.direction = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  if (out.haveGeometry) {
    out.origin = *slices.front().header.position;
    out.direction = detail::directionFromOrientation(orientation);
  }
  out.orderedFiles.clear();
  for (const auto& s : slices) out.orderedFiles.push_back(s.file);
  if (!out.complete()) out.warnings.insert(out.warnings.begin(), out.incompleteReason());
  return core::Ok{};
}

// An error message without the "path: " the header reader puts in front.
std::string reasonFor(const std::filesystem::path& file, const std::string& message) {
  const std::string prefix = file.string() + ": ";
  return message.compare(0, prefix.size(), prefix) == 0 ? message.substr(prefix.size()) : message;
}

// Reads the headers; unreadable members go to layout.unreadable, the rest into `slices`.
core::Result<DicomSeriesLayout> inspect(const DicomSeriesInfo& series, std::vector<SliceHeader>& slices) {
  if (series.files.empty()) {
    if (!series.unreadable.empty())
      return makeError(ErrorCode::Corrupt, "no file of the series can be read: " + series.unreadable.front().file.string() +
                                               ": " + series.unreadable.front().reason);
    return makeError(ErrorCode::InvalidArgument, "the series has no files");
  }
  detail::registerDicomCodecs();
  std::vector<std::optional<core::Result<SliceHeader>>> read(series.files.size());
  core::parallelFor(series.files.size(), [&](std::size_t i) { read[i] = readSliceHeader(series.files[i]); });
  DicomSeriesLayout layout;
  layout.unreadable = series.unreadable;
  for (std::size_t i = 0; i < read.size(); ++i) {
    if (read[i]->ok()) slices.push_back(std::move(*read[i]).value());
    else layout.unreadable.push_back({series.files[i], reasonFor(series.files[i], read[i]->error().message)});
  }
  if (slices.empty())
    return makeError(ErrorCode::Corrupt, "no file of the series can be read: " + layout.unreadable.front().file.string() +
                                             ": " + layout.unreadable.front().reason);
  if (auto status = layoutSlices(slices, layout); !status) return status.error();
  return layout;
}

// The range of rescaled values seen while storing, before any clamping.
struct ValueRange {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(const ValueRange& o) {
    lo = std::min(lo, o.lo);
    hi = std::max(hi, o.hi);
  }
};

template <class In, class Out>
ValueRange rescaleInto(const In* in, std::size_t n, double slope, double intercept, Out* out) {
  ValueRange range;
  if (n == 0) return range;
  if constexpr (std::is_integral_v<Out>) {
    constexpr long long kMin = std::numeric_limits<Out>::min(), kMax = std::numeric_limits<Out>::max();
    if constexpr (sizeof(In) <= 2 && std::is_integral_v<In>) {
      // 16-bit input, integral slope and intercept (checked by the caller): 32-bit integer
      // arithmetic the compiler vectorises; a 64-bit path covers slopes too large for it.
      const long long a = std::llround(slope), b = std::llround(intercept);
      if constexpr (sizeof(Out) == 2) {
        // Slope 1 (nearly every CT/MR): 16-bit adds and a 16-bit min/max, which SSE2 does
        // 8 at a time, instead of the 32-bit multiply it must emulate (1/5 of `convert`'s CPU,
        // perf). Exact whenever the values fit Out, which is the only case whose voxels are
        // kept (the caller decodes again as a wider type otherwise); else the general loop below.
        if (a == 1 && b >= kMin - 65535 && b <= kMax) {
          In lo = std::numeric_limits<In>::max(), hi = std::numeric_limits<In>::min();
          const auto add = static_cast<std::uint16_t>(b);
          for (std::size_t i = 0; i < n; ++i) {
            lo = std::min(lo, in[i]);
            hi = std::max(hi, in[i]);
            out[i] = static_cast<Out>(static_cast<std::uint16_t>(static_cast<std::uint16_t>(in[i]) + add));
          }
          const long long low = lo + b, high = hi + b;
          if (low >= kMin && high <= kMax) return {static_cast<double>(low), static_cast<double>(high)};
        }
      }
      if (a >= -32767 && a <= 32767 && b >= -(1LL << 30) && b <= (1LL << 30)) {
        const std::int32_t a32 = static_cast<std::int32_t>(a), b32 = static_cast<std::int32_t>(b);
        std::int32_t lo = std::numeric_limits<std::int32_t>::max(), hi = std::numeric_limits<std::int32_t>::min();
        for (std::size_t i = 0; i < n; ++i) {
          const std::int32_t v = static_cast<std::int32_t>(in[i]) * a32 + b32;
          lo = std::min(lo, v);
          hi = std::max(hi, v);
          out[i] = static_cast<Out>(std::min<std::int32_t>(kMax, std::max<std::int32_t>(kMin, v)));
        }
        return {static_cast<double>(lo), static_cast<double>(hi)};
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      long long value;
      if constexpr (std::is_floating_point_v<In>) value = std::llround(in[i] * slope + intercept);
      else value = static_cast<long long>(in[i]) * std::llround(slope) + std::llround(intercept);
      range.lo = std::min(range.lo, static_cast<double>(value));
      range.hi = std::max(range.hi, static_cast<double>(value));
      out[i] = static_cast<Out>(std::clamp(value, kMin, kMax));
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const double v = static_cast<double>(in[i]) * slope + intercept;
      range.lo = std::min(range.lo, v);
      range.hi = std::max(range.hi, v);
      out[i] = static_cast<Out>(v);
    }
  }
  return range;
}

template <class Out>
ValueRange storeSliceAs(const detail::DecodedPixels& px, Out* out) {
  const std::size_t n = static_cast<std::size_t>(px.width) * px.height;
  switch (px.type) {
    case core::PixelType::UInt8: return rescaleInto(px.bytes.data(), n, 1.0, 0.0, out);
    case core::PixelType::Int16: return rescaleInto(reinterpret_cast<const std::int16_t*>(px.bytes.data()), n, 1.0, 0.0, out);
    case core::PixelType::UInt16: return rescaleInto(reinterpret_cast<const std::uint16_t*>(px.bytes.data()), n, 1.0, 0.0, out);
    case core::PixelType::Float32: return rescaleInto(reinterpret_cast<const float*>(px.bytes.data()), n, 1.0, 0.0, out);
  }
  return {};
}

// Native 16-bit monochrome (the usual CT/MR slice): rescale the stored values straight
// from DCMTK's buffer into the volume. Returns nullopt when the file needs the general path.
template <class Out>
std::optional<ValueRange> decodeNative16(DcmFileFormat& file, const detail::DicomImageHeader& h, Out* out) {
  DcmDataset& ds = *file.getDataset();
  if (h.modalityLut || h.bitsAllocated != 16 || h.samplesPerPixel != 1 || h.frames != 1 ||
      (h.photometric != "MONOCHROME2" && h.photometric != "MONOCHROME1"))
    return std::nullopt;
  // Compressed (JPEG, JPEG-LS, RLE): let DCMTK's codec decompress the element in place,
  // which avoids DicomImage's intermediate copies. JPEG 2000 has no DCMTK codec.
  if (DcmXfer(ds.getOriginalXfer()).isEncapsulated() &&
      (detail::needsJpeg2000(file) || ds.chooseRepresentation(EXS_LittleEndianExplicit, nullptr).bad()))
    return std::nullopt;
  Uint16 bitsStored = 16, representation = 0;
  ds.findAndGetUint16(DCM_BitsStored, bitsStored);
  ds.findAndGetUint16(DCM_PixelRepresentation, representation);
  if (bitsStored != 16 && !(representation == 0 && bitsStored < 16)) return std::nullopt;  // signed < 16 bits: general path
  const Uint16* words = nullptr;
  if (ds.findAndGetUint16Array(DCM_PixelData, words).bad() || !words) return std::nullopt;
  const std::size_t n = static_cast<std::size_t>(h.rows) * h.columns;
  if (representation == 1) return rescaleInto(reinterpret_cast<const std::int16_t*>(words), n, h.rescaleSlope, h.rescaleIntercept, out);
  if (bitsStored == 16) return rescaleInto(words, n, h.rescaleSlope, h.rescaleIntercept, out);
  std::vector<Uint16> masked(words, words + n);  // unused high bits may hold overlays
  const Uint16 mask = static_cast<Uint16>((1u << bitsStored) - 1);
  for (auto& w : masked) w &= mask;
  return rescaleInto(masked.data(), n, h.rescaleSlope, h.rescaleIntercept, out);
}

template <class Out>
core::Result<ValueRange> decodeSliceAs(DcmFileFormat& file, const detail::DicomImageHeader& h, Out* out) {
  if (auto range = decodeNative16(file, h, out)) return *range;
  auto pixels = detail::decodePixels(file, h);
  if (!pixels) return pixels.error();
  return storeSliceAs(pixels.value(), out);
}

// Loads one slice file and writes its rescaled pixels into slice k of the volume.
core::Result<ValueRange> decodeSliceInto(const std::filesystem::path& path, core::Volume& volume, int k) {
  auto file = detail::loadDicomFile(path);
  if (!file) return file.error();
  auto header = detail::readImageHeader(*file.value());
  if (!header) return header.error();
  const auto& h = header.value();
  const std::size_t n = static_cast<std::size_t>(volume.size()[0]) * volume.size()[1];
  if (static_cast<std::size_t>(h.rows) * h.columns != n) return makeError(ErrorCode::Corrupt, "slice size changed");
  switch (volume.pixelType()) {
    case core::PixelType::Int16: return decodeSliceAs(*file.value(), h, reinterpret_cast<std::int16_t*>(volume.data()) + n * k);
    case core::PixelType::UInt16: return decodeSliceAs(*file.value(), h, reinterpret_cast<std::uint16_t*>(volume.data()) + n * k);
    default: return decodeSliceAs(*file.value(), h, reinterpret_cast<float*>(volume.data()) + n * k);
  }
}

// Decodes every slice in parallel into a volume of `type`; failed slices are left in
// `failures` (index -> reason), the range of all values written in `range`.
core::Result<core::Volume> decodeAll(const std::vector<SliceHeader>& slices, const DicomSeriesLayout& layout,
                                     core::PixelType type, std::vector<std::optional<std::string>>& failures,
                                     ValueRange& range) {
  // Uninitialized: every slice is written, and a slice that fails is dropped afterwards.
  auto volume = core::Volume::allocate(layout.size, type, core::PixelBuffer::Init::Uninitialized);
  if (!volume) return volume.error();
  core::Volume& v = volume.value();
  std::mutex mutex;
  failures.assign(slices.size(), std::nullopt);
  core::parallelFor(slices.size(), [&](std::size_t k) {
    auto r = decodeSliceInto(slices[k].file, v, static_cast<int>(k));
    std::lock_guard lock(mutex);
    if (r) range.add(r.value());
    else failures[k] = r.error().message;
  });
  return volume;
}

}  // namespace

std::string DicomSeriesLayout::incompleteReason() const {
  if (complete()) return {};
  std::string text = "incomplete series:";
  if (!unreadable.empty()) {
    text += " " + std::to_string(unreadable.size()) + (unreadable.size() == 1 ? " file cannot" : " files cannot") +
            " be read (" + unreadable.front().file.filename().string() + ": " + unreadable.front().reason +
            (unreadable.size() > 1 ? "; ..." : "") + ")";
  }
  if (!missingPositions.empty()) {
    if (!unreadable.empty()) text += ",";
    const auto& p = missingPositions.front();
    std::ostringstream where;
    where.precision(6);
    where << "(" << p[0] << ", " << p[1] << ", " << p[2] << ") mm";
    text += " " + std::to_string(missingPositions.size()) +
            (missingPositions.size() == 1 ? " slice is missing at " : " slices are missing, the first at ") + where.str() +
            " (a gap wider than 1.5 times the slice spacing)";
  }
  return text;
}

// The slices' headers as inspect() read them: what decoding needs besides the pixels.
struct SeriesHeaders {
  std::vector<SliceHeader> slices;
};

core::Result<InspectedSeries> inspectDicomSeriesHeaders(const DicomSeriesInfo& series) {
  auto headers = std::make_shared<SeriesHeaders>();
  auto layout = inspect(series, headers->slices);
  if (!layout) return layout.error();
  return InspectedSeries{std::move(layout).value(), std::move(headers)};
}

core::Result<DicomSeriesLayout> inspectDicomSeries(const DicomSeriesInfo& series) {
  std::vector<SliceHeader> slices;
  return inspect(series, slices);
}

namespace {
core::Result<LoadedSeries> decodeSeries(std::vector<SliceHeader> slices, DicomSeriesLayout layout);
}  // namespace

core::Result<LoadedSeries> loadDicomSeries(const DicomSeriesInfo& series) { return loadDicomSeries(series, nullptr); }

core::Result<LoadedSeries> loadDicomSeries(const DicomSeriesInfo& series, const InspectedSeries& inspected) {
  if (!inspected.headers) return loadDicomSeries(series);
  return decodeSeries(inspected.headers->slices, inspected.layout);
}

core::Result<LoadedSeries> loadDicomSeries(const DicomSeriesInfo& series,
                                           const std::function<core::Status(const DicomSeriesLayout&)>& beforeDecoding) {
  std::vector<SliceHeader> slices;
  auto inspected = inspect(series, slices);
  if (!inspected) return inspected.error();
  if (beforeDecoding)
    if (auto allowed = beforeDecoding(inspected.value()); !allowed) return allowed.error();
  return decodeSeries(std::move(slices), std::move(inspected).value());
}

namespace {
// Decodes the slices (ordered by layoutSlices) into one volume.
core::Result<LoadedSeries> decodeSeries(std::vector<SliceHeader> slices, DicomSeriesLayout layout) {
  LoadedSeries result;
  result.layout = std::move(layout);

  // Output type: int16 when every slice's rescale is integral (the common CT/MR case),
  // else float32; widened below when the values turn out not to fit int16.
  const bool integral = std::all_of(slices.begin(), slices.end(), [](const SliceHeader& s) {
    return std::floor(s.header.rescaleSlope) == s.header.rescaleSlope &&
           std::floor(s.header.rescaleIntercept) == s.header.rescaleIntercept;
  });
  core::PixelType type = integral ? core::PixelType::Int16 : core::PixelType::Float32;
  std::vector<std::optional<std::string>> failures;
  ValueRange range;
  auto volume = decodeAll(slices, result.layout, type, failures, range);
  if (!volume) return volume.error();
  if (type == core::PixelType::Int16 && (range.lo < -32768 || range.hi > 32767)) {
    // Unsigned 16-bit slices or a rescale beyond int16: decode again, exactly.
    type = range.lo >= 0 && range.hi <= 65535 ? core::PixelType::UInt16 : core::PixelType::Float32;
    range = ValueRange{};
    volume = decodeAll(slices, result.layout, type, failures, range);
    if (!volume) return volume.error();
  }
  // Slices whose pixels fail to decode: out of the volume, into the unreadable list.
  if (std::any_of(failures.begin(), failures.end(), [](const auto& f) { return f.has_value(); })) {
    std::vector<SliceHeader> kept;
    std::vector<int> keptIndex;
    for (std::size_t k = 0; k < slices.size(); ++k) {
      if (failures[k]) {
        result.layout.unreadable.push_back({slices[k].file, *failures[k]});
      } else {
        kept.push_back(slices[k]);
        keptIndex.push_back(static_cast<int>(k));
      }
    }
    if (kept.empty())
      return makeError(ErrorCode::Corrupt, "no slice of the series can be decoded: " +
                                               result.layout.unreadable.back().file.string() + ": " +
                                               result.layout.unreadable.back().reason);
    if (auto status = layoutSlices(kept, result.layout); !status) return status.error();
    auto compact = core::Volume::allocate(result.layout.size, type, core::PixelBuffer::Init::Uninitialized);
    if (!compact) return compact.error();
    const std::size_t sliceBytes = volume.value().sizeInBytes() / slices.size();
    for (std::size_t k = 0; k < kept.size(); ++k)
      std::memcpy(compact.value().data() + sliceBytes * k, volume.value().data() + sliceBytes * keptIndex[k], sliceBytes);
    volume = std::move(compact);
  }
  result.volume = std::move(volume).value();
  core::Volume& v = result.volume;
  v.spacing = result.layout.spacing;
  v.origin = result.layout.origin;
  v.direction = result.layout.direction;
  v.modality = slices.front().header.modality;
  result.warnings = result.layout.warnings;
  return result;
}
}  // namespace

}  // namespace meridian::io
