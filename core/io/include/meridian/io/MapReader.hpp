#pragma once
// Reading a map file (attention map, heatmap, per-tile scores: see the map convention in
// viewers/HeatmapLayer.hpp) as a core::Volume of Float32. The registry's readers hand a
// file with a single plane over as an Image2D, which has no origin or direction; a map
// needs both to land on its image, so readMap keeps them for one-plane files too.

#include <filesystem>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::io {

/// The map in `path` (NIfTI, NRRD or MetaImage; one channel, any pixel type, widened to
/// Float32) with its spacing, origin and direction. Fails, naming the file, when it cannot
/// be read, has several channels, or is in a format that stores no geometry (PNG, JPEG...).
core::Result<core::Volume> readMap(const std::filesystem::path& path);

/// True when `path` is in a format that stores origin and direction (NIfTI, NRRD, MetaImage),
/// judged from its name and header without decoding the pixels: what readMap can take.
bool storesGeometry(const std::filesystem::path& path);

}  // namespace meridian::io
