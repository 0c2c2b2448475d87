#include "PacsCommand.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "ExitCodes.hpp"
#include "JobProgressLine.hpp"
#include "meridian/pacs/PacsDownload.hpp"
#include "meridian/pacs/PacsProject.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::app {

using nlohmann::json;

namespace {

/// The server options every pacs subcommand takes.
void addServerOptions(CLI::App* command, pacs::PacsServer& server) {
  command->add_option("--host", server.host, "PACS host name or address")->capture_default_str();
  command->add_option("--port", server.port, "PACS DICOM port")->capture_default_str()->check(CLI::Range(1, 65535));
  command->add_option("--aet", server.calledAe, "The PACS's AE title (called AE)")->capture_default_str();
  command->add_option("--calling-aet", server.callingAe, "Meridian's AE title (the PACS must know it)")
      ->capture_default_str();
  command->add_option("--timeout", server.timeoutSeconds, "Seconds to wait for the connection and each message")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

core::Result<std::unique_ptr<project::ProjectStore>> openProject(const PacsCommandOptions& o) {
  auto store = project::ProjectStore::open(o.project, project::OpenMode::ReadWrite);
  if (store && !o.user.empty()) store.value()->setActor(o.user);
  return store;
}

int runEcho(const PacsCommandOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if (auto ok = pacs::echo(o.server); !ok) return fail(ok.error());
  std::printf("C-ECHO to %s: success in %.3f s\n", o.server.describe().c_str(), secondsSince(start));
  return kExitOk;
}

std::string orDash(const std::string& s) { return s.empty() ? "-" : s; }

int runFind(const PacsCommandOptions& o) {
  if (o.series) {
    auto found = pacs::findSeries(o.server, o.query.studyUid);
    if (!found) return fail(found.error());
    if (o.json) {
      json rows = json::array();
      for (const auto& s : found.value())
        rows.push_back({{"study_uid", s.studyUid}, {"series_uid", s.seriesUid}, {"modality", s.modality},
                        {"description", s.seriesDescription}, {"number", s.seriesNumber}, {"instances", s.instanceCount}});
      std::cout << rows.dump(2) << "\n";
    } else {
      for (const auto& s : found.value())
        std::printf("%s  %-4s #%d  %d instance(s)  %s\n", s.seriesUid.c_str(), orDash(s.modality).c_str(),
                    s.seriesNumber, s.instanceCount, orDash(s.seriesDescription).c_str());
      std::fprintf(stderr, "%zu series\n", found.value().size());
    }
    return kExitOk;
  }
  auto found = pacs::findStudies(o.server, o.query);
  if (!found) return fail(found.error());
  if (o.json) {
    json rows = json::array();
    for (const auto& s : found.value())
      rows.push_back({{"study_uid", s.studyUid},       {"patient_id", s.patientId},
                      {"patient_name", s.patientName}, {"study_date", s.studyDate},
                      {"description", s.studyDescription}, {"accession", s.accessionNumber},
                      {"modalities", s.modalities},    {"series", s.seriesCount},
                      {"instances", s.instanceCount}});
    std::cout << rows.dump(2) << "\n";
  } else {
    for (const auto& s : found.value())
      std::printf("%s  %s  %s  %s  %s  %d series  %s\n", s.studyUid.c_str(), orDash(s.studyDate).c_str(),
                  orDash(s.patientId).c_str(), orDash(s.patientName).c_str(), orDash(s.modalities).c_str(),
                  s.seriesCount, orDash(s.studyDescription).c_str());
    std::fprintf(stderr, "%zu study(ies)\n", found.value().size());
  }
  return kExitOk;
}

int runGet(const PacsCommandOptions& o) {
  const char* verb = o.movePort > 0 ? "pacs move" : "pacs get";
  if (o.project.empty() == o.output.empty())
    return fail(kExitUsage, std::string(verb) + " needs --project DIR or --out FOLDER (one)");
  pacs::RetrieveRequest request{o.query.studyUid, o.seriesUid, o.movePort};
  const auto start = std::chrono::steady_clock::now();
  if (!o.output.empty()) {
    // The same rule as a project's: a hidden folder beside FOLDER, moved in only when complete.
    const std::filesystem::path target = std::filesystem::absolute(o.output).lexically_normal();
    const std::string nothingWritten = "; nothing was written to " + o.output.string();
    core::Result<pacs::CompleteDownload> got = [&] {
      JobProgressLine progress("retrieving");
      auto r = pacs::downloadComplete(o.server, request, target.parent_path(), progress.job());
      progress.finish();
      return r;
    }();
    if (!got) {
      core::Error e = got.error();
      e.message += nothingWritten;
      return fail(e);
    }
    if (auto moved = got.value().moveTo(target); !moved) {
      core::Error e = moved.error();
      e.message += nothingWritten;
      return fail(e);
    }
    std::printf("retrieved %zu object(s) into %s in %.2f s\n", got.value().summary().files.size(), o.output.c_str(),
                secondsSince(start));
    return kExitOk;
  }
  auto store = openProject(o);
  if (!store) return fail(store.error());
  core::Result<pacs::ProjectRetrieveSummary> got = [&] {
    JobProgressLine progress("retrieving");
    auto r = pacs::retrieveIntoProject(*store.value(), o.server, request, progress.job());
    progress.finish();
    return r;
  }();
  if (!got) return fail(got.error());
  const auto& s = got.value();
  std::printf("retrieved %zu object(s) into %s in %.2f s; %zu case(s) added, %zu already present, %zu failed\n",
              s.objects, s.folder.c_str(), secondsSince(start), s.imported.added.size(),
              s.imported.alreadyPresent.size(), s.imported.failed.size());
  for (const auto& f : s.imported.failed)
    std::fprintf(stderr, "meridian-cli: not added %s: %s\n", f.path.c_str(), f.reason.c_str());
  return s.imported.failed.empty() ? kExitOk : kExitBadInput;
}

int runStore(const PacsCommandOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if (o.caseId > 0) {
    if (o.project.empty()) return fail(kExitUsage, "pacs store --case needs --project DIR");
    if (!o.files.empty()) return fail(kExitUsage, "pacs store takes files or --case, not both");
    auto store = openProject(o);
    if (!store) return fail(store.error());
    core::Result<pacs::CaseSendSummary> sent = [&] {
      JobProgressLine progress("sending");
      auto r = pacs::sendCaseReport(*store.value(), o.server, o.caseId, o.hidePatient, progress.job());
      progress.finish();
      return r;
    }();
    if (!sent) return fail(sent.error());
    std::printf("sent the SR of case %lld (SOP instance %s%s) to %s in %.2f s\n", o.caseId,
                sent.value().srSopInstanceUid.c_str(), sent.value().identifiesPatient ? "" : ", patient left out",
                o.server.describe().c_str(), secondsSince(start));
    return kExitOk;
  }
  if (o.files.empty()) return fail(kExitUsage, "pacs store needs DICOM files, or --project DIR --case N");
  core::Result<pacs::StoreSummary> sent = [&] {
    JobProgressLine progress("sending");
    auto r = pacs::store(o.server, o.files, progress.job());
    progress.finish();
    return r;
  }();
  if (!sent) return fail(sent.error(), Judged::InputFile);
  for (const auto& w : sent.value().warnings) std::fprintf(stderr, "meridian-cli: warning: %s\n", w.c_str());
  if (!o.project.empty()) {
    auto store = openProject(o);
    if (!store) return fail(store.error());
    if (auto recorded = pacs::recordStore(*store.value(), o.server, o.files, sent.value()); !recorded)
      return fail(recorded.error());
  }
  std::printf("sent %zu file(s) to %s in %.2f s\n", sent.value().storedSopInstanceUids.size(),
              o.server.describe().c_str(), secondsSince(start));
  return kExitOk;
}

}  // namespace

CLI::App* addPacsCommand(CLI::App& cli, PacsCommandOptions& o) {
  auto* pacs = cli.add_subcommand("pacs", "Talk to a PACS: echo, find studies or series, get (C-GET) or move (C-MOVE) "
                                          "into a project or folder, store (C-STORE) files or a case's SR");
  pacs->require_subcommand(1);

  o.echo = pacs->add_subcommand("echo", "C-ECHO: check that the PACS answers and accepts Meridian's AE title");
  addServerOptions(o.echo, o.server);

  o.find = pacs->add_subcommand("find", "C-FIND: list studies matching the keys (or, with --series, a study's series)");
  addServerOptions(o.find, o.server);
  o.find->add_option("--patient-id", o.query.patientId, "Patient ID (wildcards * and ? allowed)");
  o.find->add_option("--patient-name", o.query.patientName, "Patient name, e.g. 'Doe^*'");
  o.find->add_option("--date", o.query.studyDate, "Study date YYYYMMDD or range YYYYMMDD-YYYYMMDD");
  o.find->add_option("--accession", o.query.accessionNumber, "Accession number");
  o.find->add_option("--modality", o.query.modality, "A modality in the study (CT, MR, SM, ...)");
  o.find->add_option("--study", o.query.studyUid, "Study instance UID");
  o.find->add_flag("--series", o.series, "List the series of --study instead of studies")->needs("--study");
  o.find->add_flag("--json", o.json, "Machine-readable list on stdout");

  // get and move differ only in how the objects come back; both share runGet.
  const auto addRetrieveOptions = [&o](CLI::App* command) {
    addServerOptions(command, o.server);
    command->add_option("--study", o.query.studyUid, "Study instance UID")->required();
    command->add_option("--series", o.seriesUid, "Only this series of the study");
    command->add_option("--project", o.project, "Project folder: the objects are added as cases, only once all arrived");
    command->add_option("--out", o.output, "Folder to put the objects in instead of a project (only once all arrived)");
    command->add_option("--user", o.user, "Who is recorded in the project's audit trail");
  };
  o.get = pacs->add_subcommand("get", "C-GET a study or series into a project (added as cases) or a folder");
  addRetrieveOptions(o.get);
  o.move = pacs->add_subcommand("move", "C-MOVE a study or series into a project or a folder: Meridian listens on "
                                        "--listen-port as --calling-aet, which the PACS must list as a modality");
  addRetrieveOptions(o.move);
  o.move->add_option("--listen-port", o.movePort, "Port Meridian receives the objects on (the PACS's entry for Meridian)")
      ->required()
      ->check(CLI::Range(1, 65535));

  o.store = pacs->add_subcommand("store", "C-STORE DICOM files, or the DICOM SR of a project's case, to the PACS");
  addServerOptions(o.store, o.server);
  o.store->add_option("files", o.files, "DICOM Part 10 files to send")->check(CLI::ExistingFile);
  o.store->add_option("--project", o.project, "Project folder: the sending is recorded in its audit trail");
  o.store->add_option("--case", o.caseId, "Send this case's SR (of its latest prediction); needs --project")
      ->check(CLI::PositiveNumber);
  o.store->add_flag("--deidentified", o.hidePatient, "With --case: leave the patient attributes out of the SR");
  o.store->add_option("--user", o.user, "Who is recorded in the project's audit trail");
  return pacs;
}

int runPacs(const PacsCommandOptions& o) {
  if (auto valid = pacs::validate(o.server); !valid) return fail(valid.error());
  if (*o.echo) return runEcho(o);
  if (*o.find) return runFind(o);
  if (*o.get || *o.move) return runGet(o);
  if (*o.store) return runStore(o);
  return kExitUsage;
}

}  // namespace meridian::app
