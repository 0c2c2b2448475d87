#include "meridian/io/InputOpener.hpp"

#include "meridian/core/Logging.hpp"
#include "meridian/io/ReaderRegistry.hpp"

// One way in for every front end: a file through the reader registry, a folder or
// DICOMDIR through the series index, with the completeness policy applied here once.

namespace meridian::io {
namespace {

using core::ErrorCode;
using core::makeError;

core::Result<std::vector<DicomSeriesInfo>> indexCollection(const std::filesystem::path& path,
                                                           std::vector<UnreadableFile>& unassigned) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    auto index = indexDicomFolderReport(path);
    if (!index) return index.error();
    unassigned = std::move(index.value().unassigned);
    return std::move(index.value().series);
  }
  return indexDicomDir(path);
}

SeriesListing listSeries(DicomSeriesInfo info) {
  SeriesListing entry;
  auto layout = inspectDicomSeries(info);
  if (layout) entry.layout = std::move(layout).value();
  else entry.layoutError = layout.error().message;
  entry.info = std::move(info);
  return entry;
}

std::string seriesLine(const DicomSeriesInfo& s) {
  return s.seriesUid + "  " + s.modality + " " + s.seriesDescription + " (" + std::to_string(s.files.size()) + " files)";
}

}  // namespace

bool isDicomCollection(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec) || (std::filesystem::is_regular_file(path, ec) && isDicomDir(path));
}

core::Result<InputListing> listInput(const std::filesystem::path& path) {
  InputListing listing;
  auto index = indexCollection(path, listing.unassigned);
  if (!index) return index.error();
  if (index.value().empty() && listing.unassigned.empty())
    return makeError(ErrorCode::NotFound, path.string() + ": no DICOM image files found");
  listing.series.resize(index.value().size());
  // Headers of every series: the series already read their files in parallel, so one
  // series at a time keeps the number of open files bounded.
  for (std::size_t i = 0; i < index.value().size(); ++i) listing.series[i] = listSeries(std::move(index.value()[i]));
  return listing;
}

core::Result<OpenedInput> openInput(const std::filesystem::path& path, const OpenInputOptions& options) {
  OpenedInput out;
  if (!isDicomCollection(path)) {
    auto opened = ReaderRegistry::builtin().open(path);
    if (!opened) return opened.error();
    out.image = std::move(opened).value();
    return out;
  }
  std::vector<UnreadableFile> unassigned;
  auto index = indexCollection(path, unassigned);
  if (!index) return index.error();
  auto& all = index.value();
  if (all.empty()) {
    if (!unassigned.empty())
      return makeError(ErrorCode::Corrupt, path.string() + ": no readable DICOM series; " + unassigned.front().file.string() +
                                               ": " + unassigned.front().reason);
    return makeError(ErrorCode::NotFound, path.string() + ": no DICOM image files found");
  }
  const DicomSeriesInfo* chosen = nullptr;
  if (!options.seriesUid.empty()) {
    for (const auto& s : all)
      if (s.seriesUid == options.seriesUid) chosen = &s;
    if (!chosen) return makeError(ErrorCode::InvalidArgument, path.string() + " holds no series " + options.seriesUid);
  } else if (all.size() == 1) {
    chosen = &all.front();
  } else {
    std::string list;
    for (const auto& s : all) list += "\n  " + seriesLine(s);
    return makeError(ErrorCode::InvalidArgument,
                     path.string() + " holds " + std::to_string(all.size()) + " DICOM series; choose one:" + list);
  }
  DicomSeriesInfo series = *chosen;
  // Damaged DICOM files under the folder that name no series: with one series in the
  // folder they may be its slices, so they count against it (the index attributes those
  // in its own sub-folder; these lie elsewhere under the path).
  if (all.size() == 1)
    for (const auto& u : unassigned) series.unreadable.push_back(u);

  // Headers first: an incomplete series is refused before any pixel is decoded.
  const std::string refusal = "; a volume with a hole is not used unless incomplete series are explicitly allowed";
  auto loaded = loadDicomSeries(series, [&](const DicomSeriesLayout& layout) -> core::Status {
    if (!layout.complete() && !options.allowIncomplete)
      return makeError(ErrorCode::Corrupt, layout.incompleteReason() + refusal);
    return core::Ok{};
  });
  if (!loaded) return makeError(loaded.error().code, path.string() + ": " + loaded.error().message);
  // Pixels that fail to decode make a series incomplete only now.
  if (!loaded.value().complete() && !options.allowIncomplete)
    return makeError(ErrorCode::Corrupt, path.string() + ": " + loaded.value().layout.incompleteReason() + refusal);
  out.incompleteAccepted = !loaded.value().complete();
  if (out.incompleteAccepted)
    core::logging::get(core::logging::Layer::Core)
        ->warn("{}: loaded an incomplete series as allowed: {}", path.string(), loaded.value().layout.incompleteReason());
  out.warnings = loaded.value().warnings;
  SeriesListing listing;
  listing.info = std::move(series);
  listing.layout = loaded.value().layout;
  out.series = std::move(listing);
  out.image.format = "DICOM series";
  out.image.content = std::move(loaded.value().volume);
  return out;
}

}  // namespace meridian::io
