#pragma once
// A Linear module's forward as one ATen operator. LibTorch 1.13's torch::nn::Linear (through
// F::linear) computes a 3-D input as `matmul(x, w.t())` and then `output += bias`: under CPU
// autocast the product comes out bf16 while the bias stays fp32, and that mixed-type in-place
// addition runs on ATen's slow, element-at-a-time path (bf16 [3152, 1536] += fp32 [1536]:
// 17.6 ms against 0.4 ms with a bf16 bias, and its backward adds a conversion), 5-10% of a
// bf16 DINO or fine-tuning step (issue 19). at::linear is what PyTorch's nn.Linear calls: it is
// on autocast's bf16 list (input, weight and bias cast together, the student's weights once per
// autocast scope) and folds a contiguous 3-D input into one addmm with the bias. Without
// autocast (fp32) it is the same addmm / matmul as before up to the order of the bias addition.

#include <ATen/ATen.h>
#include <torch/nn/modules/linear.h>

namespace meridian::model {

inline at::Tensor linearForward(const torch::nn::Linear& linear, const at::Tensor& x) {
  return at::linear(x, linear->weight, linear->bias);
}

}  // namespace meridian::model
