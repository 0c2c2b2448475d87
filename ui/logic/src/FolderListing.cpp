#include "meridian/ui/FolderListing.hpp"

#include <algorithm>
#include <set>

#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/ui/IncompleteSeriesText.hpp"

namespace meridian::ui {

std::size_t FolderListing::warnings() const {
  return static_cast<std::size_t>(
      std::count_if(entries.begin(), entries.end(), [](const FolderEntry& e) { return !e.warning.empty(); }));
}

std::string seriesLabel(const io::DicomSeriesInfo& s) {
  const std::size_t n = s.files.size();
  return s.modality + " · " + (s.seriesDescription.empty() ? std::string("series") : s.seriesDescription) + " (" +
         std::to_string(n) + (n == 1 ? " image)" : " images)");
}

namespace {

// A series' row. An incomplete series carries a warning: the slices its positions say are
// missing, and the members that cannot be read (from its headers, as io::inspectDicomSeries
// reads them; no pixel is decoded).
FolderEntry seriesEntry(FolderListing& listing, std::size_t i, const std::filesystem::path& folder) {
  const auto& s = listing.series[i];
  FolderEntry entry;
  entry.kind = FolderEntry::Kind::Series;
  entry.series = i;
  entry.path = s.files.empty() ? folder : s.files.front().parent_path();
  entry.label = seriesLabel(s);
  entry.tooltip = s.patientName + "  " + s.studyDate + "\n" + s.seriesUid;
  auto inspected = io::inspectDicomSeriesHeaders(s);
  entry.warning = inspected ? incompleteSeriesText(inspected.value().layout.missingPositions, inspected.value().layout.unreadable)
                            : incompleteSeriesText({}, s.unreadable);
  listing.inspected[i] = inspected ? std::move(inspected).value() : io::InspectedSeries{};
  return entry;
}

}  // namespace

core::Result<FolderListing> listFolder(const std::filesystem::path& folder, std::size_t maxFiles) {
  // A DICOMDIR file lists its own series (references confined to its folder); a folder is
  // scanned, and the other images directly in it are listed too.
  const bool dicomDir = io::isDicomDir(folder);
  auto index = dicomDir ? io::indexDicomDir(folder) : io::indexDicomFolder(folder);
  if (!index) return index.error();
  FolderListing listing;
  listing.series = std::move(index).value();
  listing.inspected.resize(listing.series.size());
  if (dicomDir) {
    for (std::size_t i = 0; i < listing.series.size(); ++i) listing.entries.push_back(seriesEntry(listing, i, folder));
    return listing;
  }
  std::set<std::filesystem::path> inSeries;
  for (const auto& s : listing.series) inSeries.insert(s.files.begin(), s.files.end());

  std::vector<std::filesystem::path> files;  // other images directly in the folder
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.empty() || name.front() == '.' || inSeries.count(entry.path())) continue;
    if (io::ReaderRegistry::builtin().find(entry.path())) files.push_back(entry.path());
    if (files.size() >= maxFiles) break;
  }
  if (ec) return core::makeError(core::ErrorCode::Io, folder.string() + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());

  for (const auto& file : files) {
    FolderEntry entry;
    entry.kind = FolderEntry::Kind::File;
    entry.path = file;
    entry.label = file.filename().string();
    entry.tooltip = file.string();
    const auto* reader = io::ReaderRegistry::builtin().find(file);
    if (reader != nullptr && reader->name() == "DCMTK")
      entry.warning = "not in any DICOM series: its header could not be indexed with the others";
    listing.entries.push_back(std::move(entry));
  }
  for (std::size_t i = 0; i < listing.series.size(); ++i) listing.entries.push_back(seriesEntry(listing, i, folder));
  if (listing.entries.empty())
    return core::makeError(core::ErrorCode::NotFound, folder.string() + ": no file Meridian can read in this folder");
  return listing;
}

}  // namespace meridian::ui
