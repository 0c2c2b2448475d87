#include <cstdio>
#include <iostream>

#include "CliInput.hpp"
#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "SummaryJson.hpp"

namespace meridian::app {

namespace {

// A folder (the DICOM series under it, headers only) or a DICOMDIR (the series it lists):
// every series with its geometry and whether it is complete.
int describeCollection(const std::filesystem::path& path, bool json) {
  auto listing = io::listInput(path);
  if (!listing) return fail(exitCodeFor(listing.error()), listing.error().message);
  nlohmann::json series = nlohmann::json::array();
  for (const auto& s : listing.value().series) series.push_back(seriesJson(s));
  nlohmann::json unassigned = nlohmann::json::array();
  for (const auto& u : listing.value().unassigned) unassigned.push_back({{"file", u.file.string()}, {"reason", u.reason}});
  const nlohmann::json summary = {
      {"kind", "collection"}, {"format", "DICOM"}, {"series", series}, {"unreadable", unassigned}};
  if (json) {
    std::cout << summary.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << path.string() << ": " << series.size() << " DICOM series\n";
  for (const auto& s : series) {
    std::cout << "  " << s["modality"].get<std::string>() << "  " << s["count"] << " images  "
              << s["description"].get<std::string>() << "  " << s["uid"].get<std::string>() << "\n";
    if (s.contains("incomplete_reason")) std::cout << "    INCOMPLETE: " << s["incomplete_reason"].get<std::string>() << "\n";
    for (const auto& u : s["unreadable"])
      std::cout << "    unreadable: " << u["file"].get<std::string>() << ": " << u["reason"].get<std::string>() << "\n";
  }
  for (const auto& u : unassigned)
    std::cout << "  unreadable DICOM file (series unknown): " << u["file"].get<std::string>() << ": "
              << u["reason"].get<std::string>() << "\n";
  return kExitOk;
}

}  // namespace

int runInfo(const std::filesystem::path& path, bool json) {
  if (io::isDicomCollection(path)) return describeCollection(path, json);
  // Headers only: a 2 GiB image is described without decoding or allocating its pixels.
  auto described = io::describeFile(path);
  if (!described) return fail(described.error(), Judged::InputFile);
  const nlohmann::json summary = toJson(described.value());
  if (json) {
    std::cout << summary.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << path.string() << "\n";
  for (const auto& [key, value] : summary.items()) std::cout << "  " << key << ": " << value.dump() << "\n";
  return kExitOk;
}

}  // namespace meridian::app
