#pragma once
// Training-time augmentation on a normalised input batch [B, 3, S, S], per modality:
//   every modality: horizontal flip, random resized crop (scale 0.5-1, aspect 3/4-4/3)
//   Color (pathology, fundus, dermoscopy): also vertical flip (tiles have no "up") and
//       colour jitter (brightness, contrast, saturation x U(0.8, 1.2))
//   Any (photos): colour jitter, no vertical flip
//   CT, Grayscale: intensity jitter (gain U(0.9, 1.1), offset U(-0.05, 0.05), same on all
//       channels so a grey image stays grey)
// Jitter works in [0, 1] (the normalisation is undone and redone). Randomness comes from
// torch's default generator, so torch::manual_seed makes a run repeatable.

#include <ATen/ATen.h>

#include "meridian/model/PreprocessConfig.hpp"

namespace meridian::model::train {

at::Tensor augmentBatch(const at::Tensor& batch, const PreprocessConfig& preprocess);

}  // namespace meridian::model::train
