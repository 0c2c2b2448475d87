#pragma once
// LayerNorm for the CPU inference path (issue 20), in row chunks on ChunkPool, written
// directly in the type the next product reads (fp32, or bf16 for the bf16 weights).
//
// Why: at::layer_norm followed by .to(bf16) is two passes over the [B*T, D] activations, and
// inside the in-place block both ran on the calling thread alone (InferenceThreadsScope keeps
// ATen's OpenMP team at 1 so that no team waits for a descheduled thread). One pass, shared
// by the pool's threads, replaces both.

#include <ATen/ATen.h>

namespace meridian::model {

/// out = LayerNorm(x) over the last dimension: x [M, D] contiguous fp32; weight and bias [D]
/// fp32 (or undefined: 1 and 0); out [M, D] contiguous, fp32 or bf16. Same arithmetic as
/// ATen's (fp32 mean and variance, biased, 1/sqrt(var + eps)) up to summation order.
void inferenceLayerNorm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps,
                        at::Tensor& out);

}  // namespace meridian::model
