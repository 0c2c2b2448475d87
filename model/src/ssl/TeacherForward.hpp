#pragma once
// The DINO teacher's forward pass (no gradient) on the global views. With bf16 it runs on the
// inference engine (VitInPlaceBlock.hpp, InferenceLinear.hpp: oneDNN's bf16 kernels on
// prepared weights, fused epilogues, the fp32 residual stream kept in place) with the teacher's
// matrix weights cast to bf16 for the pass (MatmulWeightCast) and back afterwards, instead of
// ATen's operators under autocast: about 1.5x faster on the teacher's share of a step (issue 19).
// The weights change every step (the EMA), so each pass prepares them again: one cast and one
// reorder of ~22M values, a few ms against the ~300 ms forward.

#include <ATen/ATen.h>

#include "../Vit.hpp"

namespace meridian::model::ssl {

/// The pooled features [B, D] (fp32) of `views` [B, 3, H, W]. Call outside any autocast
/// scope: the engine's blocks refuse to run under one (their products would not be covered).
at::Tensor teacherForward(VitImpl& teacher, const at::Tensor& views, bool bf16);

}  // namespace meridian::model::ssl
