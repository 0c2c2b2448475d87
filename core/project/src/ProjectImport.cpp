#include "meridian/project/ProjectImport.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <system_error>

#include "meridian/core/FileHash.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/InputOpener.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace meridian::project {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::makeError;

/// One case to be: a single file, or a DICOM series found under `path`.
struct Candidate {
  fs::path path;
  std::optional<io::DicomSeriesInfo> series;
  std::string incompleteJson;  // a series with a hole: what it lacks (toJson(Incompleteness))
};

CaseKind kindOf(io::ImageKind k) {
  switch (k) {
    case io::ImageKind::Image: return CaseKind::Image;
    case io::ImageKind::Volume: return CaseKind::Volume;
    case io::ImageKind::Slide: return CaseKind::Slide;
  }
  return CaseKind::Image;
}

fs::path absoluteNormal(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::weakly_canonical(p, ec);
  if (ec) a = fs::absolute(p, ec).lexically_normal();
  return a;
}

/// The deepest folder holding every file of a series.
fs::path commonFolder(const std::vector<fs::path>& files) {
  if (files.empty()) return {};
  fs::path common = files.front().parent_path();
  for (const auto& f : files) {
    while (!common.empty()) {
      const auto rel = f.lexically_relative(common);
      if (!rel.empty() && *rel.begin() != "..") break;
      common = common.parent_path();
    }
  }
  return common;
}

bool isInside(const fs::path& path, const fs::path& folder) {
  const auto rel = path.lexically_relative(folder);
  return !rel.empty() && *rel.begin() != "..";
}

/// Hashes every file: one CaseFile per file and the case's digest.
core::Status hashFiles(const std::vector<fs::path>& files, CaseRecord& record, const core::JobControl& job) {
  for (const auto& f : files) {
    if (job.cancelled()) return makeError(ErrorCode::Cancelled, "cancelled");
    auto hash = core::sha256OfFile(f);
    if (!hash) return hash.error();
    std::error_code ec;
    const auto size = static_cast<std::int64_t>(fs::file_size(f, ec));
    record.files.push_back({f.string(), hash.value(), ec ? 0 : size});
    record.byteSize += ec ? 0 : size;
  }
  std::sort(record.files.begin(), record.files.end(), [](const CaseFile& a, const CaseFile& b) { return a.path < b.path; });
  record.sha256 = record.seriesUid.empty() && files.size() == 1 ? record.files.front().sha256
                                                                 : seriesDigest(record.files);
  return core::Ok{};
}

/// Builds the record of one candidate (opening or indexing what it must) or says why not.
core::Result<CaseRecord> describe(const Candidate& c, const core::JobControl& job) {
  CaseRecord r;
  r.path = c.path.string();
  if (c.series) {
    const auto& s = *c.series;
    r.kind = CaseKind::Volume;
    r.format = "DICOM";
    r.seriesUid = s.seriesUid;
    r.studyUid = s.studyUid;
    r.patientId = s.patientId;
    r.patientName = s.patientName;
    r.studyDate = s.studyDate;
    r.studyDescription = s.studyDescription;
    r.seriesDescription = s.seriesDescription;
    r.modality = s.modality;
    r.seriesNumber = s.seriesNumber;
    r.incompleteJson = c.incompleteJson;
    if (s.files.size() == 1) {  // one file: a radiograph or photo is an image, a multi-frame file a volume
      auto opened = io::ReaderRegistry::builtin().open(s.files.front());
      if (!opened) return opened.error();
      r.kind = kindOf(opened.value().kind());
    }
    std::vector<fs::path> files(s.files.begin(), s.files.end());
    if (auto h = hashFiles(files, r, job); !h) return h.error();
    return r;
  }
  const auto* reader = io::ReaderRegistry::builtin().find(c.path);
  if (!reader) return makeError(ErrorCode::Unsupported, "no Meridian reader recognises this file");
  auto opened = reader->open(c.path);  // decodes it once: a file that cannot be shown is not added
  if (!opened) return opened.error();
  r.kind = kindOf(opened.value().kind());
  r.format = opened.value().format;
  if (auto h = hashFiles({c.path}, r, job); !h) return h.error();
  return r;
}

/// Appends the series io::listInput found as candidates, each with what it lacks; their
/// files, readable or not, go into `claimed` (an unreadable member is reported on its
/// series' case, not tried again as a file of its own). A series none of whose files can
/// be read cannot be a case: it is listed in `failed`.
void addSeries(const std::vector<io::SeriesListing>& series, const fs::path& fallback, std::vector<Candidate>& out,
               std::set<fs::path>& claimed, std::vector<ImportFailure>& failed, bool pathIsDicomDir) {
  for (const auto& listed : series) {
    const io::DicomSeriesInfo& s = listed.info;
    for (const auto& u : listed.unreadable()) claimed.insert(absoluteNormal(u.file));
    if (s.files.empty() || (listed.layout && listed.layout->orderedFiles.empty())) {
      const auto& first = listed.unreadable();
      failed.push_back({first.empty() ? fallback : first.front().file,
                        "no file of the series " + s.seriesUid + " can be read" +
                            (first.empty() ? std::string() : ": " + first.front().reason)});
      continue;
    }
    Candidate c;
    c.series = s;
    Incompleteness gaps;
    if (listed.layout) gaps.missing = listed.layout->missingPositions;
    gaps.unreadable = listed.unreadable();
    c.incompleteJson = toJson(gaps);
    std::vector<fs::path> files;
    for (const auto& f : s.files) {
      files.push_back(absoluteNormal(f));
      claimed.insert(files.back());
    }
    c.series->files = files;
    // A series is named by its folder, a one-file series (a radiograph, a cine) by its file.
    c.path = pathIsDicomDir ? fallback : files.size() == 1 ? files.front() : commonFolder(files);
    if (c.path.empty()) c.path = fallback;
    out.push_back(std::move(c));
  }
}

}  // namespace

std::string toJson(const Incompleteness& gaps) {
  if (gaps.complete()) return {};
  nlohmann::json j{{"missing", nlohmann::json::array()}, {"unreadable", nlohmann::json::array()}};
  for (const auto& p : gaps.missing) j["missing"].push_back({p[0], p[1], p[2]});
  for (const auto& u : gaps.unreadable) j["unreadable"].push_back({{"file", u.file.string()}, {"reason", u.reason}});
  return j.dump();
}

core::Result<Incompleteness> incompletenessOf(const CaseRecord& record) {
  Incompleteness gaps;
  if (record.incompleteJson.empty()) return gaps;
  const auto corrupt = [&] {
    return makeError(ErrorCode::Corrupt, "case " + std::to_string(record.id) +
                                             ": its record of missing slices is damaged: " + record.incompleteJson);
  };
  const auto j = nlohmann::json::parse(record.incompleteJson, nullptr, false);
  if (!j.is_object() || !j.contains("missing") || !j.contains("unreadable")) return corrupt();
  try {
    for (const auto& p : j.at("missing")) gaps.missing.push_back({p.at(0).get<double>(), p.at(1).get<double>(), p.at(2).get<double>()});
    for (const auto& u : j.at("unreadable"))
      gaps.unreadable.push_back({u.at("file").get<std::string>(), u.at("reason").get<std::string>()});
  } catch (const nlohmann::json::exception&) {
    return corrupt();
  }
  return gaps;
}

std::string seriesDigest(const std::vector<CaseFile>& files) {
  std::vector<std::string> hashes;
  for (const auto& f : files) hashes.push_back(f.sha256);
  std::sort(hashes.begin(), hashes.end());
  std::string all;
  for (const auto& h : hashes) all += h + "\n";
  return core::sha256OfBytes(all);
}

core::Result<ImportReport> importIntoProject(ProjectStore& store, const std::vector<fs::path>& paths,
                                             const core::JobControl& job) {
  if (store.isReadOnly())
    return makeError(ErrorCode::Io, "the project " + store.folder().string() +
                                        " is open read-only: nothing can be added to it");
  ImportReport report;
  std::vector<Candidate> candidates;
  std::set<fs::path> claimed;  // files that belong to a DICOM series

  // 1. Find the cases: DICOM series by their headers, every other file by itself.
  std::size_t pathIndex = 0;
  for (const auto& input : paths) {
    job.report({"finding images", pathIndex++, paths.size(), -1, input.string()});
    if (job.cancelled()) return makeError(ErrorCode::Cancelled, "import cancelled before anything was added");
    const fs::path path = absoluteNormal(input);
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      // The series with what each lacks (headers only), through the one way in every front end uses.
      auto listed = io::listInput(path);
      if (!listed && listed.error().code != ErrorCode::NotFound) {  // NotFound: no DICOM here, other files may be
        report.failed.push_back({path, listed.error().message});
        continue;
      }
      if (listed) {
        addSeries(listed.value().series, path, candidates, claimed, report.failed, false);
        for (const auto& u : listed.value().unassigned) {  // DICOM files too damaged to place in a series
          report.failed.push_back({u.file, u.reason});
          claimed.insert(absoluteNormal(u.file));
        }
      }
      std::vector<fs::path> files;
      fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
      if (ec) {
        report.failed.push_back({path, "cannot list the folder: " + ec.message()});
        continue;
      }
      for (; it != end; it.increment(ec)) {
        if (ec) {
          report.failed.push_back({path, "cannot list part of the folder: " + ec.message()});
          break;
        }
        const auto& entry = *it;
        if (entry.is_directory() && absoluteNormal(entry.path()) == store.folder()) {
          it.disable_recursion_pending();  // never import the project's own files
          continue;
        }
        if (!entry.is_regular_file()) continue;
        const auto file = absoluteNormal(entry.path());
        if (isInside(file, store.folder())) continue;
        if (claimed.count(file)) continue;
        if (file.filename().string().front() == '.') continue;  // hidden files (.DS_Store, ...) are not images
        files.push_back(file);
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        if (io::isDicomDir(f)) continue;  // its series were found by the folder scan
        candidates.push_back({f, std::nullopt, {}});
      }
    } else if (fs::is_regular_file(path, ec)) {
      if (io::isDicomDir(path)) {
        auto listed = io::listInput(path);
        if (!listed) report.failed.push_back({path, listed.error().message});
        else if (listed.value().series.empty()) report.failed.push_back({path, "the DICOMDIR lists no image series"});
        else addSeries(listed.value().series, path, candidates, claimed, report.failed, true);
      } else {
        candidates.push_back({path, std::nullopt, {}});
      }
    } else {
      report.failed.push_back({path, "no such file or folder"});
    }
  }

  // 2. Describe, hash and add each one; each case is its own transaction.
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& c = candidates[i];
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    job.report({"adding", i, candidates.size(), core::estimateSecondsLeft(i, candidates.size(), elapsed), c.path.string()});
    if (job.cancelled())
      return makeError(ErrorCode::Cancelled, "import cancelled; the " + std::to_string(report.added.size()) +
                                                 " cases added before were kept");
    const std::string seriesUid = c.series ? c.series->seriesUid : std::string();
    auto existing = store.findCase(c.path.string(), seriesUid);
    if (!existing) return existing.error();
    if (existing.value()) {
      report.alreadyPresent.push_back(*existing.value());
      continue;
    }
    auto record = describe(c, job);
    if (!record) {
      if (record.error().code == ErrorCode::Cancelled) continue;  // reported at the loop's top
      report.failed.push_back({c.path, record.error().message});
      continue;
    }
    const bool incomplete = !record.value().incompleteJson.empty();
    auto id = store.addCase(std::move(record).value());
    if (!id) {
      if (id.error().code == ErrorCode::Io || id.error().code == ErrorCode::Corrupt) return id.error();  // the disk, not the file
      report.failed.push_back({c.path, id.error().message});
      continue;
    }
    report.added.push_back(id.value());
    if (incomplete) report.incomplete.push_back(id.value());
  }
  job.report({"adding", candidates.size(), candidates.size(), 0, ""});
  return report;
}

}  // namespace meridian::project
