#pragma once
// Resizing a learned absolute position embedding to another patch grid, as timm and
// DINOv2 do: the CLS entry is kept, the patch entries are treated as a D-channel image
// and resampled bicubically (align_corners = false, no antialiasing, as DINOv2).

#include <ATen/ATen.h>

namespace meridian::model {

/// posEmbed: [1, 1 + g*g, D] for a square grid g; returns [1, 1 + gridH*gridW, D]
/// (the input itself when the grid already matches).
at::Tensor interpolatePositionEmbedding(const at::Tensor& posEmbed, int gridH, int gridW);

}  // namespace meridian::model
