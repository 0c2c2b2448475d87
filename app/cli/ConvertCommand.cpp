// `meridian-cli convert INPUT OUTPUT`: volumes to NIfTI/NRRD/MHA, images and slide regions
// to PNG/TIFF. A folder of DICOM files (or a DICOMDIR) is a series (pick one with
// --series UID); an incomplete series is refused unless --allow-incomplete, and then
// OUTPUT.incomplete.json records what is missing.

#include <cstdio>
#include <iostream>

#include "CliInput.hpp"
#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "meridian/core/AtomicFile.hpp"
#include "OutputFiles.hpp"
#include "meridian/io/ImageWriter.hpp"

namespace meridian::app {
namespace {

core::OutputPolicy policyOf(const ConvertOptions& o) {
  return outputPolicy(o.force, {o.input});
}

int report(const core::Status& status, const ConvertOptions& o) {
  // An output name whose format cannot hold the content: 2; full disk, read-only folder: 1;
  // exists, is the input: 2; content the writer finds corrupt: 3.
  if (!status) return failOutput(status.error(), Judged::OutputFormat);
  std::cout << "wrote " << o.output.string() << "\n";
  return kExitOk;
}

// The record beside an output made from an incomplete series.
int reportIncomplete(const core::Status& status, const ConvertOptions& o, const io::OpenedInput& in) {
  if (!status) return report(status, o);
  const nlohmann::json incomplete = incompleteJson(in);
  const std::filesystem::path record = o.output.string() + ".incomplete.json";
  const nlohmann::json body = {{"input", o.input.string()}, {"output", o.output.string()}, {"incomplete", incomplete}};
  if (auto s = core::writeFileAtomically(record, body.dump(2) + "\n"); !s) return failOutput(s.error());
  std::cout << "wrote " << o.output.string() << " from an INCOMPLETE series (" << incomplete["reason"].get<std::string>()
            << "); recorded in " << record.string() << "\n";
  return kExitOk;
}

}  // namespace

int runConvert(const ConvertOptions& o) {
  // Refused before the input is read: an output that exists (without --force) or that is
  // the input under another name.
  if (auto allowed = core::checkOutputTarget(o.output, policyOf(o)); !allowed) return failOutput(allowed.error());
  io::OpenInputOptions options;
  options.seriesUid = o.seriesUid;
  options.allowIncomplete = o.allowIncomplete;
  if (!o.seriesUid.empty() && !io::isDicomCollection(o.input))
    return fail(kExitUsage, "--series applies to a folder or DICOMDIR, not to the file " + o.input.string());
  auto opened = openCliInput(o.input, options);
  if (!opened) {
    std::string message = opened.error().message;
    // Several series: name the option that picks one (core's message names no flags).
    const std::string generic = " DICOM series; choose one:";
    if (const auto at = message.find(generic); at != std::string::npos && o.seriesUid.empty())
      message.replace(at, generic.size(), " series; choose one with --series UID:");
    return fail(exitCodeFor(opened.error()), message);
  }
  auto& content = opened.value().image.content;
  if (auto* image = std::get_if<core::Image2D>(&content)) return report(io::writeImage(*image, o.output, policyOf(o)), o);
  if (auto* volume = std::get_if<core::Volume>(&content)) {
    auto status = io::writeVolume(*volume, o.output, policyOf(o));
    if (opened.value().incompleteAccepted) return reportIncomplete(status, o, opened.value());
    return report(status, o);
  }
  const auto& slide = *std::get<std::shared_ptr<core::SlideSource>>(content);
  const int level = o.level.value_or(static_cast<int>(slide.levels().size()) - 1);
  if (level < 0 || level >= static_cast<int>(slide.levels().size()))
    return fail(kExitUsage, "--level " + std::to_string(level) + ": the slide has levels 0.." +
                                std::to_string(slide.levels().size() - 1));
  // Default: the whole level. With --region: x,y in level-0 pixels (as OpenSlide counts),
  // w,h in pixels of the chosen level.
  const auto& l = slide.levels()[level];
  const std::array<std::int64_t, 4> r = o.region.value_or(std::array<std::int64_t, 4>{0, 0, l.width, l.height});
  if (r[2] > (1 << 30) || r[3] > (1 << 30)) return fail(kExitUsage, "--region is larger than any image Meridian writes");
  auto region = slide.readRegion(level, r[0], r[1], static_cast<int>(r[2]), static_cast<int>(r[3]));
  if (!region) return fail(region.error(), Judged::InputFile);
  return report(io::writeImage(region.value(), o.output, policyOf(o)), o);
}

}  // namespace meridian::app
