#include "MapFiles.hpp"

#include "meridian/io/ImageWriter.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::service {
namespace fs = std::filesystem;

core::Result<std::string> newMapFile(const project::ProjectStore& store, project::CaseId caseId, const std::string& what) {
  std::error_code ec;
  fs::create_directories(store.mapsFolder(), ec);
  if (ec)
    return core::makeError(core::ErrorCode::Io, store.mapsFolder().string() + ": cannot create the maps folder: " + ec.message());
  for (int n = 1; n < 100000; ++n) {
    const std::string name = "case" + std::to_string(caseId) + "-" + what + "-" + std::to_string(n) + ".nii.gz";
    if (!fs::exists(store.mapsFolder() / name, ec)) return (fs::path("maps") / name).string();
  }
  return core::makeError(core::ErrorCode::Io, store.mapsFolder().string() + ": no free map file name for case " +
                                                  std::to_string(caseId));
}

core::Status writeMapFile(const project::ProjectStore& store, const std::string& relative, const core::Volume& map) {
  core::OutputPolicy policy;
  policy.replaceExisting = true;
  return io::writeVolume(map, store.folder() / relative, policy);
}

}  // namespace meridian::service
