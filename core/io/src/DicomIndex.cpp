#include "meridian/io/DicomSeries.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdicdir.h>
#include <dcmtk/dcmdata/dcdirrec.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <tuple>

#include "DicomDatasetText.hpp"
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

// What a file under a folder is: a member of a series (its header read), a member that
// cannot be read (header read, rest damaged: `series` set, `problem` set), a DICOM file
// too damaged to place (`problem` only), or nothing of ours (neither: not DICOM, no image).
struct Described {
  std::optional<DicomSeriesInfo> series;
  std::optional<UnreadableFile> problem;
};

// The series attributes of a header read up to the Pixel Data; nullopt for non-images.
std::optional<DicomSeriesInfo> seriesOf(DcmDataset& ds, const std::filesystem::path& path) {
  Uint16 rows = 0, columns = 0;
  if (ds.findAndGetUint16(DCM_Rows, rows).bad() || ds.findAndGetUint16(DCM_Columns, columns).bad()) return std::nullopt;
  const detail::DicomSeriesKeys keys = detail::readSeriesKeys(&ds);
  DicomSeriesInfo s;
  s.seriesUid = keys.seriesUid;
  if (s.seriesUid.empty()) s.seriesUid = "(no series UID) " + path.parent_path().string();
  s.studyUid = keys.studyUid;
  s.patientName = keys.patientName;
  s.patientId = keys.patientId;
  s.studyDate = keys.studyDate;
  s.studyDescription = keys.studyDescription;
  s.modality = keys.modality;
  s.seriesDescription = keys.seriesDescription;
  if (keys.seriesNumber >= 0) s.seriesNumber = keys.seriesNumber;
  s.rows = rows;
  s.columns = columns;
  return s;
}

// "DICM" after the 128-byte preamble: a DICOM file, whatever follows.
bool hasPart10Preamble(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char preamble[132] = {};
  return in.read(preamble, sizeof preamble) && std::memcmp(preamble + 128, "DICM", 4) == 0;
}

Described describeFile(const std::filesystem::path& path) {
  const bool part10 = hasPart10Preamble(path);
  // Files without the preamble (older archives, pydicom's dicomdirtests) count as DICOM
  // when their header parses and carries DICOM's identifying attributes (as DcmtkReader
  // detects them), also when their pixel data is cut short.
  detail::DicomScanNotes notes;
  auto lengths = detail::scanDicomLengths(path, &notes);
  // A length that runs past the end at or after the Pixel Data (a truncated file): the
  // header before it is intact, so the file can still say which series it is missing from.
  if (!lengths && !notes.pixelDataSeen) {
    if (part10) return {std::nullopt, UnreadableFile{path, lengths.error().message}};
    return {};
  }
  // The whole structure with values over 4 KB left on disk: DCMTK then checks the elements
  // the length walk does not reach (after a sequence of undefined length), so a file cut
  // short is found here. With trailing padding the walk has checked everything before it.
  DcmFileFormat ff;
  const OFCondition status =
      notes.paddingOffset
          ? ff.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect, DCM_PixelData)
          : ff.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect);
  DcmDataset& ds = *ff.getDataset();
  if (!part10 && !(ds.card() > 2 && (ds.tagExists(DCM_SOPClassUID) || ds.tagExists(DCM_StudyInstanceUID) ||
                                     ds.tagExists(DCM_Rows))))
    return {};
  if (status.bad()) {
    // DCMTK keeps what it parsed before the damage: the header, when the cut is in the
    // pixels, says which series the file is missing from.
    const UnreadableFile problem{path, detail::parseError(status).message};
    auto s = seriesOf(ds, path);
    if (!s) return {std::nullopt, problem};
    s->unreadable.push_back(problem);
    return {std::move(s), problem};
  }
  auto s = seriesOf(ds, path);
  if (!s) {
    if (!lengths) return {std::nullopt, UnreadableFile{path, lengths.error().message}};
    return {};  // not an image (report, structure set, ...)
  }
  if (!lengths) {
    s->unreadable.push_back({path, lengths.error().message});
    return {std::move(s), UnreadableFile{path, lengths.error().message}};
  }
  s->files.push_back(path);
  return {std::move(s), std::nullopt};
}

}  // namespace

core::Result<DicomFolderIndex> indexDicomFolderReport(const std::filesystem::path& folder) {
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

  std::vector<Described> described(candidates.size());
  core::parallelFor(candidates.size(), [&](std::size_t i) { described[i] = describeFile(candidates[i]); });
  std::map<std::string, DicomSeriesInfo> bySeries;
  DicomFolderIndex index;
  for (auto& d : described) {
    if (!d.series) {
      if (d.problem) index.unassigned.push_back(std::move(*d.problem));
      continue;
    }
    auto [entry, inserted] = bySeries.try_emplace(d.series->seriesUid, std::move(*d.series));
    if (inserted) continue;
    auto& s = entry->second;
    if (!d.series->files.empty()) s.files.push_back(d.series->files.front());
    for (auto& u : d.series->unreadable) s.unreadable.push_back(std::move(u));
  }
  // A series known only from unreadable members still shows (with no readable file).
  for (auto& [uid, s] : bySeries) index.series.push_back(std::move(s));
  // A damaged file whose header names no series, in a folder holding exactly one series'
  // files, is most likely one of its slices: count it against that series rather than lose it.
  for (auto u = index.unassigned.begin(); u != index.unassigned.end();) {
    DicomSeriesInfo* owner = nullptr;
    int owners = 0;
    for (auto& s : index.series) {
      if (std::any_of(s.files.begin(), s.files.end(),
                      [&](const auto& f) { return f.parent_path() == u->file.parent_path(); })) {
        owner = &s;
        ++owners;
      }
    }
    if (owners == 1) {
      owner->unreadable.push_back({u->file, u->reason + " (its header names no series; it lies among this series' files)"});
      u = index.unassigned.erase(u);
    } else {
      ++u;
    }
  }
  sortSeries(index.series);
  for (auto& s : index.series)
    std::sort(s.unreadable.begin(), s.unreadable.end(), [](const auto& a, const auto& b) { return a.file < b.file; });
  std::sort(index.unassigned.begin(), index.unassigned.end(), [](const auto& a, const auto& b) { return a.file < b.file; });
  return index;
}

core::Result<std::vector<DicomSeriesInfo>> indexDicomFolder(const std::filesystem::path& folder) {
  auto index = indexDicomFolderReport(folder);
  if (!index) return index.error();
  return std::move(index.value().series);
}

namespace {

// "77654033\CR1\6154" relative to the DICOMDIR's folder; empty when the record names no
// file. A reference that would leave the folder is an error: a DICOMDIR copied from
// elsewhere must not make Meridian index another patient's files.
core::Result<std::filesystem::path> referencedFile(DcmDirectoryRecord& record, const std::filesystem::path& base) {
  OFString id;
  if (record.findAndGetOFStringArray(DCM_ReferencedFileID, id).bad() || id.empty()) return std::filesystem::path{};
  const std::string text = id.c_str();
  auto refuse = [&](const std::string& why) {
    return makeError(ErrorCode::Corrupt, "a record references '" + text + "', " + why +
                                             "; a DICOMDIR may only name files in its own folder or below it");
  };
  std::filesystem::path path = base.empty() ? std::filesystem::path(".") : base;
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == '\\') parts.emplace_back();
    else if (c != ' ') parts.back() += c;
  }
  for (const auto& part : parts) {
    if (part.empty()) return refuse("an absolute or empty path component");
    if (part == ".." || part == ".") return refuse("a path that climbs out of the DICOMDIR's folder");
    if (part.find_first_of("/:") != std::string::npos) return refuse("a path component with '/' or ':'");
    path /= part;
  }
  // Links inside the folder may still point out of it.
  std::error_code ec;
  const auto root = std::filesystem::weakly_canonical(base.empty() ? std::filesystem::path(".") : base, ec);
  const auto target = std::filesystem::weakly_canonical(path, ec);
  if (!ec) {
    const auto rel = target.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") return refuse("which resolves (through a link) outside the DICOMDIR's folder");
  }
  return path;
}

}  // namespace

bool isDicomDir(const std::filesystem::path& path) {
  if (path.filename() == "DICOMDIR") return true;
  // A DICOMDIR is a Part 10 file (PS3.10: File Meta Information, so the preamble and "DICM").
  // 132 bytes rule out a JPEG, PNG or bare data set before any walk: the window opening a
  // JPEG walked it as DICOM here (and loaded DCMTK's dictionary) only to learn it is not one.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || !hasPart10Preamble(path)) return false;  // a FIFO would block the open
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
          auto file = referencedFile(*image, base);
          if (!file) return makeError(file.error().code, dicomdir.string() + ": " + file.error().message);
          if (file.value().empty()) continue;
          if (std::filesystem::is_regular_file(file.value(), ec)) {
            s.files.push_back(file.value());
          } else {
            ++missing;
            s.unreadable.push_back({file.value(), "listed in the DICOMDIR, but the file does not exist"});
          }
        }
        if (s.files.empty()) {  // every file it lists is missing: still shown, as incomplete
          if (!s.unreadable.empty()) out.push_back(std::move(s));
          continue;
        }
        // The directory records rarely carry these: take them from the first file, and
        // skip series whose files are not images (as a folder scan does).
        std::optional<DicomSeriesInfo> first;
        for (const auto& file : s.files) {
          auto described = describeFile(file);
          if (described.series) {
            first = std::move(described.series);
            break;
          }
          if (!described.problem) break;  // not an image: the series is skipped, as a folder scan skips it
        }
        if (!first) continue;
        s.rows = first->rows;
        s.columns = first->columns;
        s.seriesDescription = first->seriesDescription;
        out.push_back(std::move(s));
      }
    }
  }
  const bool anyFile = std::any_of(out.begin(), out.end(), [](const DicomSeriesInfo& s) { return !s.files.empty(); });
  if (!anyFile && missing > 0)
    return makeError(ErrorCode::NotFound, dicomdir.string() + ": lists " + std::to_string(missing) +
                                              " image files, none of which exist beside it");
  sortSeries(out);
  return out;
}

}  // namespace meridian::io
