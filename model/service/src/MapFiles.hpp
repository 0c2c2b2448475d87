#pragma once
// Map files of a project: where the service writes heatmaps and explanation maps (under
// ProjectStore::mapsFolder(), NIfTI in the map convention), named so that nothing already
// there is replaced. Library-private.

#include <filesystem>
#include <string>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/project/ProjectRecords.hpp"

namespace meridian::project {
class ProjectStore;
}

namespace meridian::service {

/// A new name "maps/case<ID>-<what>-<n>.nii.gz" (relative to the project folder) whose file
/// does not exist yet; creates the maps folder.
core::Result<std::string> newMapFile(const project::ProjectStore& store, project::CaseId caseId, const std::string& what);

/// Writes `map` to the project-relative `relative` atomically (a viewer reading it sees the
/// old or the new file, never half of one); replacing is allowed (a growing heatmap).
core::Status writeMapFile(const project::ProjectStore& store, const std::string& relative, const core::Volume& map);

}  // namespace meridian::service
