#include <cstdio>
#include <iostream>

#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "SummaryJson.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace meridian::app {

namespace {

// A folder (the DICOM series under it, headers only) or a DICOMDIR (the series it lists).
int describeCollection(const std::filesystem::path& path, bool json) {
  std::error_code ec;
  auto index = std::filesystem::is_directory(path, ec) ? io::indexDicomFolder(path) : io::indexDicomDir(path);
  if (!index) {
    std::fprintf(stderr, "meridian-cli: %s\n", index.error().message.c_str());
    return kExitBadInput;
  }
  if (index.value().empty()) {
    std::fprintf(stderr, "meridian-cli: %s: no DICOM image files found\n", path.c_str());
    return kExitBadInput;
  }
  nlohmann::json series = nlohmann::json::array();
  for (const auto& s : index.value()) {
    series.push_back({{"uid", s.seriesUid},
                      {"description", s.seriesDescription},
                      {"modality", s.modality},
                      {"count", s.files.size()},
                      {"size", {s.columns, s.rows, s.files.size()}},
                      {"series_number", s.seriesNumber},
                      {"patient_name", s.patientName},
                      {"patient_id", s.patientId},
                      {"study_uid", s.studyUid},
                      {"study_date", s.studyDate},
                      {"study_description", s.studyDescription}});
  }
  const nlohmann::json summary = {{"kind", "collection"}, {"format", "DICOM"}, {"series", series}};
  if (json) {
    std::cout << summary.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << path.string() << ": " << series.size() << " DICOM series\n";
  for (const auto& s : series)
    std::cout << "  " << s["modality"].get<std::string>() << "  " << s["count"] << " images  "
              << s["description"].get<std::string>() << "  " << s["uid"].get<std::string>() << "\n";
  return kExitOk;
}

}  // namespace

int runInfo(const std::filesystem::path& path, bool json) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec) || io::isDicomDir(path)) return describeCollection(path, json);
  auto opened = io::ReaderRegistry::builtin().open(path);
  if (!opened) {
    std::fprintf(stderr, "meridian-cli: %s\n", opened.error().message.c_str());
    return kExitBadInput;
  }
  const nlohmann::json summary = toJson(io::summarize(opened.value()));
  if (json) {
    std::cout << summary.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << path.string() << "\n";
  for (const auto& [key, value] : summary.items()) std::cout << "  " << key << ": " << value.dump() << "\n";
  return kExitOk;
}

}  // namespace meridian::app
