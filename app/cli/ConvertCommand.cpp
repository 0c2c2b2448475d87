// `meridian-cli convert INPUT OUTPUT`: volumes to NIfTI/NRRD/MHA, images and slide regions
// to PNG/TIFF. A folder of DICOM files is a series (pick one with --series UID).

#include <cstdio>
#include <iostream>

#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "OutputFiles.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace meridian::app {
namespace {

core::OutputPolicy policyOf(const ConvertOptions& o) {
  return outputPolicy(o.force, {o.input});
}

int report(const core::Status& status, const ConvertOptions& o) {
  if (!status) {
    if (status.error().code == core::ErrorCode::Unsupported) return fail(kExitUsage, status.error().message);
    if (status.error().code == core::ErrorCode::Corrupt) return fail(kExitBadInput, status.error().message);
    return failOutput(status.error());  // full disk, read-only folder: 1; exists, is the input: 2
  }
  std::cout << "wrote " << o.output.string() << "\n";
  return kExitOk;
}

int convertFolder(const ConvertOptions& o) {
  auto index = io::indexDicomFolder(o.input);
  if (!index) return fail(kExitBadInput, index.error().message);
  const auto& all = index.value();
  if (all.empty()) return fail(kExitBadInput, o.input.string() + ": no DICOM image files in this folder");
  const io::DicomSeriesInfo* chosen = nullptr;
  if (!o.seriesUid.empty()) {
    for (const auto& s : all)
      if (s.seriesUid == o.seriesUid) chosen = &s;
    if (!chosen) return fail(kExitUsage, "no series " + o.seriesUid + " under " + o.input.string() + " (see meridian-cli info)");
  } else if (all.size() == 1) {
    chosen = &all.front();
  } else {
    std::string list;
    for (const auto& s : all) list += "\n  " + s.seriesUid + "  " + s.modality + " " + s.seriesDescription;
    return fail(kExitUsage, o.input.string() + " holds " + std::to_string(all.size()) +
                                " series; choose one with --series UID:" + list);
  }
  auto series = io::loadDicomSeries(*chosen);
  if (!series) return fail(kExitBadInput, series.error().message);
  for (const auto& w : series.value().warnings) std::fprintf(stderr, "meridian-cli: warning: %s\n", w.c_str());
  return report(io::writeVolume(series.value().volume, o.output, policyOf(o)), o);
}

}  // namespace

int runConvert(const ConvertOptions& o) {
  // Refused before the input is read: an output that exists (without --force) or that is
  // the input under another name.
  if (auto allowed = core::checkOutputTarget(o.output, policyOf(o)); !allowed) return failOutput(allowed.error());
  std::error_code ec;
  if (std::filesystem::is_directory(o.input, ec)) return convertFolder(o);
  auto opened = io::ReaderRegistry::builtin().open(o.input);
  if (!opened) return fail(kExitBadInput, opened.error().message);
  auto& content = opened.value().content;
  if (auto* image = std::get_if<core::Image2D>(&content)) return report(io::writeImage(*image, o.output, policyOf(o)), o);
  if (auto* volume = std::get_if<core::Volume>(&content)) return report(io::writeVolume(*volume, o.output, policyOf(o)), o);
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
  if (!region) return fail(kExitBadInput, region.error().message);
  return report(io::writeImage(region.value(), o.output, policyOf(o)), o);
}

}  // namespace meridian::app
