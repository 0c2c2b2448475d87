#include "meridian/io/DicomSeries.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "DcmtkReader.hpp"
#include "DicomDecoder.hpp"
#include "DicomGeometry.hpp"

namespace meridian::io {
namespace {

using core::ErrorCode;
using core::makeError;

std::string text(DcmItem& item, const DcmTagKey& tag) {
  OFString v;
  item.findAndGetOFString(tag, v);
  return v.c_str();
}

// One slice's header, for ordering and checks.
struct SliceHeader {
  std::filesystem::path file;
  detail::DicomImageHeader header;
  double along = 0.0;  // position along the slice normal
};

core::Result<SliceHeader> readSliceHeader(const std::filesystem::path& file) {
  DcmFileFormat ff;
  const OFCondition status = ff.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect,
                                                 DCM_PixelData);
  if (status.bad()) return makeError(ErrorCode::Corrupt, file.string() + ": " + detail::parseError(status).message);
  auto header = detail::readImageHeader(ff, /*pixelDataLoaded=*/false);
  if (!header) return makeError(header.error().code, file.string() + ": " + header.error().message);
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

// Copies decoded slice pixels (any type) into slice `k` of `volume` (int16 or float32).
void storeSlice(const detail::DecodedPixels& px, core::Volume& volume, int k) {
  const std::size_t n = static_cast<std::size_t>(px.width) * px.height;
  const auto value = [&](std::size_t i) -> double {
    switch (px.type) {
      case core::PixelType::UInt8: return px.bytes[i];
      case core::PixelType::Int16: return reinterpret_cast<const std::int16_t*>(px.bytes.data())[i];
      case core::PixelType::UInt16: return reinterpret_cast<const std::uint16_t*>(px.bytes.data())[i];
      case core::PixelType::Float32: return reinterpret_cast<const float*>(px.bytes.data())[i];
    }
    return 0.0;
  };
  if (volume.pixelType() == core::PixelType::Int16) {
    auto* out = reinterpret_cast<std::int16_t*>(volume.data()) + n * k;
    for (std::size_t i = 0; i < n; ++i)
      out[i] = static_cast<std::int16_t>(std::clamp(std::lround(value(i)), -32768L, 32767L));
  } else {
    auto* out = reinterpret_cast<float*>(volume.data()) + n * k;
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(value(i));
  }
}

}  // namespace

core::Result<std::vector<DicomSeriesInfo>> indexDicomFolder(const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec))
    return makeError(ErrorCode::NotFound, folder.string() + ": not a folder");
  detail::registerDicomCodecs();
  const DcmtkReader sniffer;
  std::map<std::string, DicomSeriesInfo> bySeries;
  auto it = std::filesystem::recursive_directory_iterator(
      folder, std::filesystem::directory_options::skip_permission_denied, ec);
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().filename() == "DICOMDIR") continue;
    if (sniffer.detect(it->path()) <= 0.0) continue;
    DcmFileFormat ff;
    if (ff.loadFileUntilTag(it->path().c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect, DCM_PixelData).bad())
      continue;  // unreadable files are simply not part of any series
    DcmDataset& ds = *ff.getDataset();
    Uint16 rows = 0, columns = 0;
    if (ds.findAndGetUint16(DCM_Rows, rows).bad() || ds.findAndGetUint16(DCM_Columns, columns).bad()) continue;
    std::string uid = text(ds, DCM_SeriesInstanceUID);
    if (uid.empty()) uid = "(no series UID) " + it->path().parent_path().string();
    DicomSeriesInfo& s = bySeries[uid];
    if (s.files.empty()) {
      s.seriesUid = uid;
      s.studyUid = text(ds, DCM_StudyInstanceUID);
      s.patientName = text(ds, DCM_PatientName);
      s.patientId = text(ds, DCM_PatientID);
      s.studyDate = text(ds, DCM_StudyDate);
      s.studyDescription = text(ds, DCM_StudyDescription);
      s.modality = text(ds, DCM_Modality);
      s.seriesDescription = text(ds, DCM_SeriesDescription);
      Sint32 number = 0;
      if (ds.findAndGetSint32(DCM_SeriesNumber, number).good()) s.seriesNumber = number;
      s.rows = rows;
      s.columns = columns;
    }
    s.files.push_back(it->path());
  }
  if (ec) return makeError(ErrorCode::Io, folder.string() + ": cannot list: " + ec.message());
  std::vector<DicomSeriesInfo> out;
  for (auto& [uid, s] : bySeries) out.push_back(std::move(s));
  std::sort(out.begin(), out.end(), [](const DicomSeriesInfo& a, const DicomSeriesInfo& b) {
    return std::tie(a.patientId, a.studyDate, a.studyUid, a.seriesNumber, a.seriesUid) <
           std::tie(b.patientId, b.studyDate, b.studyUid, b.seriesNumber, b.seriesUid);
  });
  return out;
}

core::Result<LoadedSeries> loadDicomSeries(const DicomSeriesInfo& series) {
  if (series.files.empty()) return makeError(ErrorCode::InvalidArgument, "the series has no files");
  detail::registerDicomCodecs();
  std::vector<SliceHeader> slices;
  for (const auto& file : series.files) {
    auto slice = readSliceHeader(file);
    if (!slice) return slice.error();
    slices.push_back(std::move(slice).value());
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
                                       integral ? core::PixelType::Int16 : core::PixelType::Float32);
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
  std::atomic<std::size_t> next{0};
  std::mutex errorMutex;
  std::optional<core::Error> failure;
  const auto worker = [&] {
    for (std::size_t k = next++; k < slices.size(); k = next++) {
      auto file = detail::loadDicomFile(slices[k].file);
      auto header = file ? detail::readImageHeader(*file.value()) : core::Result<detail::DicomImageHeader>(file.error());
      auto pixels = header ? detail::decodePixels(*file.value(), header.value())
                           : core::Result<detail::DecodedPixels>(header.error());
      if (!pixels) {
        std::lock_guard lock(errorMutex);
        if (!failure) failure = makeError(pixels.error().code, slices[k].file.string() + ": " + pixels.error().message);
        return;
      }
      storeSlice(pixels.value(), v, static_cast<int>(k));
    }
  };
  const unsigned threads = std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(),
                                                             static_cast<unsigned>(slices.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (failure) return *failure;
  return result;
}

}  // namespace meridian::io
