#pragma once
// Case thumbnails, cached in the project's thumbnails/ folder as PNG (written atomically).
// Making one reads the case (a slide's overview, a volume's middle slice), so call it from
// a job, not the UI thread.

#include <filesystem>

#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

/// thumbnails/<case id>-<first 16 hex of sha256>.png: a changed file gets a new name.
std::filesystem::path thumbnailPath(const ProjectStore& store, const CaseRecord& record);

/// The cached thumbnail's path, made first (longest side `maxSide` pixels) when missing.
core::Result<std::filesystem::path> ensureThumbnail(const ProjectStore& store, const CaseRecord& record, int maxSide = 256);

}  // namespace meridian::project
