#pragma once
// An AttentionMap placed on the image it explains: as a core::Heatmap (for
// renderHeatmapOverlay) and as the project's map convention (a 1-channel Float32 volume
// of depth 1 in the original image's pixel grid, what viewers and .nii.gz files carry).

#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/model/AttentionMap.hpp"

namespace meridian::model {

/// The map's values (head `head` of a CLS-attention map, or the mean / the method's map
/// when head < 0) with cell geometry in original-image pixels through the letterbox.
/// Fails when `head` is not one of the map's heads.
core::Result<core::Heatmap> toHeatmap(const AttentionMap& map, int head = -1);

/// toHeatmap, then core::heatmapToMapVolume: cells falling only on the letterbox padding
/// are dropped, spacing = original pixels per cell, origin = centre of the first kept cell.
core::Result<core::Volume> toMapVolume(const AttentionMap& map, int head = -1);

}  // namespace meridian::model
