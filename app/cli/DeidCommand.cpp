#include "DeidCommand.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>

#include "ExitCodes.hpp"
#include "JobProgressLine.hpp"
#include "meridian/report/DicomDeidentifier.hpp"

namespace meridian::app {

CLI::App* addDeidCommand(CLI::App& cli, DeidCommandOptions& options) {
  auto* command = cli.add_subcommand(
      "deid",
      "Write de-identified copies of a DICOM file or folder (PS3.15 Annex E basic profile; UIDs replaced "
      "consistently; files with burned-in annotation refused), or of a TIFF-based whole slide (SVS, tiled "
      "TIFF) without its label and macro images");
  command->add_option("input", options.input, "DICOM file, folder searched for DICOM files, or a TIFF slide")->required();
  command
      ->add_option("output", options.output,
                   "Output file (for a file input) or folder; folder copies are named <series UID>/<SOP UID>.dcm")
      ->required();
  command->add_option("--date-shift", options.dateShiftDays,
                      "Move dates by this many days instead of removing them (keeps intervals between studies)");
  command->add_flag("--json", options.json, "Machine-readable summary on stdout");
  return command;
}

int runDeid(const DeidCommandOptions& options) {
  report::DeidOptions deid;
  deid.dateShiftDays = options.dateShiftDays;
  const auto start = std::chrono::steady_clock::now();
  core::Result<report::DeidSummary> result = [&] {
    JobProgressLine progress("de-identifying");
    auto r = report::deidentify(options.input, options.output, deid, &progress.job());
    progress.finish();
    return r;
  }();
  if (!result) return fail(exitCodeFor(result.error()), result.error().message);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const report::DeidSummary& s = result.value();
  const double perSecond = seconds > 0 ? static_cast<double>(s.written.size()) / seconds : 0.0;
  for (const auto& [file, error] : s.refused) std::fprintf(stderr, "meridian-cli: refused %s\n", error.message.c_str());
  if (options.json) {
    nlohmann::json refused = nlohmann::json::array();
    for (const auto& [file, error] : s.refused) refused.push_back({{"file", file.string()}, {"reason", error.message}});
    const nlohmann::json summary = {{"written", s.written.size()},       {"refused", refused},
                                    {"not_dicom", s.notDicom},           {"uids_replaced", s.uidsReplaced},
                                    {"output", options.output.string()}, {"seconds", seconds},
                                    {"files_per_second", perSecond}};
    std::printf("%s\n", summary.dump(2).c_str());
  } else {
    std::printf("wrote %zu de-identified file(s) to %s (%zu UIDs replaced) in %.2f s (%.1f files/s)\n",
                s.written.size(), options.output.c_str(), s.uidsReplaced, seconds, perSecond);
    if (s.notDicom) std::printf("skipped %zu file(s) that are not DICOM Part 10 files\n", s.notDicom);
    if (!s.refused.empty()) std::printf("refused %zu file(s); see the messages above\n", s.refused.size());
  }
  return s.refused.empty() ? kExitOk : kExitBadInput;
}

}  // namespace meridian::app
