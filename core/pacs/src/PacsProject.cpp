#include "meridian/pacs/PacsProject.hpp"

#include <nlohmann/json.hpp>

#include <system_error>

#include "PacsAssociation.hpp"
#include "meridian/pacs/PacsDownload.hpp"
#include "meridian/report/ProjectExport.hpp"

namespace meridian::pacs {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::makeError;
using nlohmann::json;

namespace {

/// A UID as a folder name: UIDs hold digits and dots only, but a server may send anything.
std::string folderName(const std::string& uid) {
  std::string name;
  for (const char ch : uid) name += (ch >= '0' && ch <= '9') || ch == '.' ? ch : '_';
  return name.empty() || name == "." || name == ".." ? "unnamed" : name;
}

/// Removes a folder this code made, whatever state it is in.
void discard(const fs::path& folder) {
  std::error_code ec;
  fs::remove_all(folder, ec);
}

json serverJson(const PacsServer& server) {
  return {{"host", server.host}, {"port", server.port}, {"called_ae", server.calledAe}, {"calling_ae", server.callingAe}};
}

}  // namespace

core::Result<ProjectRetrieveSummary> retrieveIntoProject(project::ProjectStore& store, const PacsServer& server,
                                                         const RetrieveRequest& request, const core::JobControl& job) {
  if (store.isReadOnly())
    return makeError(ErrorCode::InvalidArgument, "the project is open read-only; nothing can be retrieved into it");
  const fs::path root = store.folder() / "pacs";
  const std::string nothingAdded = "; nothing was added to the project";

  // Only a complete download comes back (PacsDownload); a failure has removed its folder.
  auto received = downloadComplete(server, request, root, job);
  if (!received) {
    core::Error e = received.error();
    e.message += nothingAdded;
    return e;
  }
  CompleteDownload& download = received.value();

  // The complete download takes its place; a second retrieve of the same study gets a new folder.
  std::string name = folderName(request.studyUid);
  if (!request.seriesUid.empty()) name += "_" + folderName(request.seriesUid);
  fs::path target = root / name;
  for (int n = 2; fs::exists(target); ++n) target = root / (name + "-" + std::to_string(n));
  if (auto moved = download.moveTo(target); !moved) {
    core::Error e = moved.error();
    e.message += nothingAdded;
    return e;
  }
  const RetrieveSummary& got = download.summary();
  // Import reads headers only (seconds); it runs uncancelled so the folder and the cases agree.
  auto imported = project::importIntoProject(store, {target});
  if (!imported) {
    discard(target);
    core::Error e = imported.error();
    e.message = "the retrieved files could not be added: " + e.message + nothingAdded;
    return e;
  }
  ProjectRetrieveSummary summary{target, got.files.size(), std::move(imported).value()};
  json cases = json::array();
  for (const auto id : summary.imported.added) cases.push_back(id);
  const json payload = {{"server", serverJson(server)},          {"study_uid", request.studyUid},
                        {"series_uid", request.seriesUid},        {"objects", summary.objects},
                        {"method", request.movePort > 0 ? "C-MOVE" : "C-GET"},
                        {"folder", summary.folder.string()},      {"cases", cases}};
  if (auto recorded = store.recordEvent("pacs.retrieve", std::nullopt, payload.dump()); !recorded) return recorded.error();
  return summary;
}

core::Status recordStore(project::ProjectStore& store, const PacsServer& server, const std::vector<fs::path>& files,
                         const StoreSummary& summary) {
  if (store.isReadOnly()) return core::Ok{};
  json paths = json::array();
  for (const auto& f : files) paths.push_back(fs::absolute(f).lexically_normal().string());
  const json payload = {{"server", serverJson(server)}, {"files", paths}, {"sop_instance_uids", summary.storedSopInstanceUids}};
  return store.recordEvent("pacs.store", std::nullopt, payload.dump());
}

core::Result<CaseSendSummary> sendCaseReport(project::ProjectStore& store, const PacsServer& server,
                                             project::CaseId caseId, bool hidePatient, const core::JobControl& job) {
  if (auto valid = validate(server); !valid) return valid.error();
  const fs::path scratch = fs::temp_directory_path() / ("meridian-pacs-sr-" + detail::randomSuffix());
  std::error_code ec;
  fs::create_directories(scratch, ec);
  if (ec) return makeError(ErrorCode::Io, "cannot create " + scratch.string() + ": " + ec.message());
  struct Cleanup {
    fs::path folder;
    ~Cleanup() { discard(folder); }
  } cleanup{scratch};

  report::ProjectExportRequest request;
  request.format = report::ExportFormat::Sr;
  request.cases = {caseId};
  request.output = scratch / ("case-" + std::to_string(caseId) + ".dcm");
  request.hidePatient = hidePatient;
  auto exported = report::exportProject(store, request);
  if (!exported) return exported.error();
  if (exported.value().written.empty()) {
    const auto& skipped = exported.value().skipped;
    return makeError(ErrorCode::InvalidArgument,
                     "case " + std::to_string(caseId) + " has no SR to send" +
                         (skipped.empty() ? std::string() : ": " + skipped.front()));
  }
  const std::vector<fs::path> files = exported.value().written;
  auto sent = pacs::store(server, files, job);
  if (!sent) return sent.error();
  if (auto recorded = recordStore(store, server, files, sent.value()); !recorded) return recorded.error();
  CaseSendSummary summary;
  summary.srSopInstanceUid = sent.value().storedSopInstanceUids.front();
  summary.identifiesPatient = exported.value().identifiesPatients;
  return summary;
}

}  // namespace meridian::pacs
