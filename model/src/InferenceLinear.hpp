#pragma once
// The CPU inference path's matrix products (issue 20), with their epilogue fused:
//   out  = a @ w^T + bias               (Bias: the attention's qkv)
//   out  = gelu(a @ w^T + bias)         (BiasGelu: the MLP's fc1, exact erf GELU)
//   out += a @ w^T + bias               (BiasAccumulate: proj and fc2 into the residual stream)
//
// Two implementations, chosen by CMake:
// - InferenceLinearDnnl.cpp (when oneDNN's headers are found, Debian's libdnnl-dev; the
//   library itself is already in every process, LibTorch links it): oneDNN's matmul with the
//   weights reordered once into its blocked layout and the epilogue as post-ops. Why: on this
//   Zen 5 CPU OpenBLAS runs its AVX2 kernels (the machine sets OPENBLAS_CORETYPE=Haswell, and
//   0.3.21 does not know the CPU) at half the AVX-512 peak, in its own pthread pool that
//   spins against ATen's OpenMP threads; oneDNN runs AVX-512 brgemm kernels on the OpenMP
//   threads ATen already uses, so one thread pool runs the whole forward pass.
// - InferenceLinearAten.cpp (elsewhere, e.g. a pip LibTorch without oneDNN's headers):
//   addmm through LibTorch's BLAS, bias and GELU as separate passes.
// Both give the same values up to fp32 rounding; the golden torchvision test holds them.

#include <ATen/ATen.h>

#include <memory>

namespace meridian::model {

enum class LinearEpilogue { Bias, BiasGelu, BiasAccumulate };

/// Prepared weights and kernels, keyed by the weight tensor (and its version counter, so a
/// weight changed in place is prepared again). One per model; thread-safe.
class LinearCache {
 public:
  LinearCache();
  ~LinearCache();
  LinearCache(const LinearCache&) = delete;
  LinearCache& operator=(const LinearCache&) = delete;
  struct State;
  State& state() { return *state_; }

 private:
  std::unique_ptr<State> state_;
};

/// Whether the fused oneDNN implementation is compiled in ("onednn") or the BLAS one ("blas").
const char* inferenceLinearBackend();

/// `a` [M, K] contiguous (fp32, or bf16 with a bf16 weight), `weight` [N, K] contiguous,
/// `bias` [N] or undefined, `out` [M, N] contiguous fp32 (or bf16 for Bias/BiasGelu).
void inferenceLinear(LinearCache& cache, const at::Tensor& a, const at::Tensor& weight, const at::Tensor& bias,
                     at::Tensor& out, LinearEpilogue epilogue);

/// Self-attention's core from the qkv product's output [B*T, 3D] (q, k, v, each head-major
/// within D, as torchvision and timm lay them out): softmax(q k^T / sqrt(headDim)) v, written
/// as tokens [B*T, D] (heads side by side), for `batch` images of `tokens` tokens.
void inferenceAttention(LinearCache& cache, const at::Tensor& qkv, std::int64_t batch, std::int64_t tokens,
                        std::int64_t heads, at::Tensor& out);

/// For the inference pass's lifetime: ATen's own operations (LayerNorm, copies) run on the
/// calling thread only when the products bring their own pool (oneDNN backend: ChunkPool),
/// so no OpenMP team waits at a barrier for a thread the OS has not scheduled. No effect
/// with the BLAS backend.
class InferenceThreadsScope {
 public:
  InferenceThreadsScope();
  ~InferenceThreadsScope();
  InferenceThreadsScope(const InferenceThreadsScope&) = delete;
  InferenceThreadsScope& operator=(const InferenceThreadsScope&) = delete;

 private:
  int saved_ = 0;
};

}  // namespace meridian::model
