#include "meridian/io/DicomSeries.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdicdir.h>
#include <dcmtk/dcmdata/dcdirrec.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "DcmtkReader.hpp"
#include "DicomDecoder.hpp"
#include "DicomLengthScan.hpp"
#include "meridian/core/ParallelFor.hpp"
#include "meridian/core/RegularFile.hpp"

// Finding DICOM series: a folder scan (headers only, in parallel) or a DICOMDIR.

namespace meridian::io {

using core::ErrorCode;
using core::makeError;
using detail::dicomText;

namespace {

void sortSeries(std::vector<DicomSeriesInfo>& out) {
  std::sort(out.begin(), out.end(), [](const DicomSeriesInfo& a, const DicomSeriesInfo& b) {
    return std::tie(a.patientId, a.studyDate, a.studyUid, a.seriesNumber, a.seriesUid) <
           std::tie(b.patientId, b.studyDate, b.studyUid, b.seriesNumber, b.seriesUid);
  });
}

// The series a file belongs to, from its header alone; nullopt for non-images.
std::optional<DicomSeriesInfo> describeFile(const std::filesystem::path& path) {
  static const DcmtkReader sniffer;
  if (sniffer.detect(path) <= 0.0 || !detail::scanDicomLengths(path)) return std::nullopt;
  DcmFileFormat ff;
  if (ff.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect, DCM_PixelData).bad())
    return std::nullopt;  // unreadable files are simply not part of any series
  DcmDataset& ds = *ff.getDataset();
  Uint16 rows = 0, columns = 0;
  if (ds.findAndGetUint16(DCM_Rows, rows).bad() || ds.findAndGetUint16(DCM_Columns, columns).bad()) return std::nullopt;
  DicomSeriesInfo s;
  s.seriesUid = dicomText(ds, DCM_SeriesInstanceUID);
  if (s.seriesUid.empty()) s.seriesUid = "(no series UID) " + path.parent_path().string();
  s.studyUid = dicomText(ds, DCM_StudyInstanceUID);
  s.patientName = dicomText(ds, DCM_PatientName);
  s.patientId = dicomText(ds, DCM_PatientID);
  s.studyDate = dicomText(ds, DCM_StudyDate);
  s.studyDescription = dicomText(ds, DCM_StudyDescription);
  s.modality = dicomText(ds, DCM_Modality);
  s.seriesDescription = dicomText(ds, DCM_SeriesDescription);
  Sint32 number = 0;
  if (ds.findAndGetSint32(DCM_SeriesNumber, number).good()) s.seriesNumber = number;
  s.rows = rows;
  s.columns = columns;
  s.files.push_back(path);
  return s;
}

}  // namespace

core::Result<std::vector<DicomSeriesInfo>> indexDicomFolder(const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec))
    return makeError(ErrorCode::NotFound, folder.string() + ": not a folder");
  detail::registerDicomCodecs();
  std::vector<std::filesystem::path> candidates;
  auto it = std::filesystem::recursive_directory_iterator(
      folder, std::filesystem::directory_options::skip_permission_denied, ec);
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec) && it->path().filename() != "DICOMDIR") candidates.push_back(it->path());
  if (ec) return makeError(ErrorCode::Io, folder.string() + ": cannot list: " + ec.message());

  std::vector<std::optional<DicomSeriesInfo>> described(candidates.size());
  core::parallelFor(candidates.size(), [&](std::size_t i) { described[i] = describeFile(candidates[i]); });
  std::map<std::string, DicomSeriesInfo> bySeries;
  for (auto& d : described) {
    if (!d) continue;
    auto [entry, inserted] = bySeries.try_emplace(d->seriesUid, std::move(*d));
    if (!inserted) entry->second.files.push_back(d->files.front());
  }
  std::vector<DicomSeriesInfo> out;
  for (auto& [uid, s] : bySeries) out.push_back(std::move(s));
  sortSeries(out);
  return out;
}

namespace {

// "77654033\CR1\6154" relative to the DICOMDIR's folder.
std::filesystem::path referencedFile(DcmDirectoryRecord& record, const std::filesystem::path& base) {
  OFString id;
  if (record.findAndGetOFStringArray(DCM_ReferencedFileID, id).bad() || id.empty()) return {};
  std::filesystem::path path = base;
  std::string part;
  for (char c : std::string(id.c_str())) {
    if (c == '\\') {
      path /= part;
      part.clear();
    } else if (c != ' ') {
      part += c;
    }
  }
  return part.empty() ? path : path / part;
}

}  // namespace

bool isDicomDir(const std::filesystem::path& path) {
  if (path.filename() == "DICOMDIR") return true;
  detail::registerDicomCodecs();  // quiets DCMTK's console logging for non-DICOM files
  if (!detail::scanDicomLengths(path)) return false;
  DcmFileFormat ff;
  if (ff.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, 256, ERM_autoDetect, DCM_DirectoryRecordSequence).bad())
    return false;
  OFString sopClass;
  ff.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, sopClass);
  return sopClass == UID_MediaStorageDirectoryStorage;
}

core::Result<std::vector<DicomSeriesInfo>> indexDicomDir(const std::filesystem::path& dicomdir) {
  detail::registerDicomCodecs();
  std::error_code ec;
  if (auto regular = core::checkRegularFile(dicomdir); !regular) return regular.error();  // FIFOs, devices: by type
  if (auto lengths = detail::scanDicomLengths(dicomdir); !lengths)
    return makeError(lengths.error().code, dicomdir.string() + ": " + lengths.error().message);
  DcmDicomDir dir(dicomdir.c_str());
  if (dir.error().bad()) return makeError(ErrorCode::Corrupt, dicomdir.string() + ": not a readable DICOMDIR: " + dir.error().text());
  const std::filesystem::path base = dicomdir.parent_path();
  std::vector<DicomSeriesInfo> out;
  std::size_t missing = 0;
  DcmDirectoryRecord& root = dir.getRootRecord();
  for (DcmDirectoryRecord* patient = root.nextSub(nullptr); patient; patient = root.nextSub(patient)) {
    if (patient->getRecordType() != ERT_Patient) continue;
    for (DcmDirectoryRecord* study = patient->nextSub(nullptr); study; study = patient->nextSub(study)) {
      if (study->getRecordType() != ERT_Study) continue;
      for (DcmDirectoryRecord* series = study->nextSub(nullptr); series; series = study->nextSub(series)) {
        if (series->getRecordType() != ERT_Series) continue;
        DicomSeriesInfo s;
        s.patientName = dicomText(*patient, DCM_PatientName);
        s.patientId = dicomText(*patient, DCM_PatientID);
        s.studyUid = dicomText(*study, DCM_StudyInstanceUID);
        s.studyDate = dicomText(*study, DCM_StudyDate);
        s.studyDescription = dicomText(*study, DCM_StudyDescription);
        s.seriesUid = dicomText(*series, DCM_SeriesInstanceUID);
        s.modality = dicomText(*series, DCM_Modality);
        Sint32 number = 0;
        if (series->findAndGetSint32(DCM_SeriesNumber, number).good()) s.seriesNumber = number;
        for (DcmDirectoryRecord* image = series->nextSub(nullptr); image; image = series->nextSub(image)) {
          const auto file = referencedFile(*image, base);
          if (file.empty()) continue;
          if (std::filesystem::is_regular_file(file, ec)) s.files.push_back(file);
          else ++missing;
        }
        if (s.files.empty()) continue;
        // The directory records rarely carry these: take them from the first file, and
        // skip series whose files are not images (as a folder scan does).
        const auto first = describeFile(s.files.front());
        if (!first) continue;
        s.rows = first->rows;
        s.columns = first->columns;
        s.seriesDescription = first->seriesDescription;
        out.push_back(std::move(s));
      }
    }
  }
  if (out.empty() && missing > 0)
    return makeError(ErrorCode::NotFound, dicomdir.string() + ": lists " + std::to_string(missing) +
                                              " image files, none of which exist beside it");
  sortSeries(out);
  return out;
}

}  // namespace meridian::io
