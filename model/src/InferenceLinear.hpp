#pragma once
// The CPU inference path's matrix products (issue 20), with their epilogue fused:
//   out  = a @ w^T + bias               (Bias: the attention's qkv)
//   out  = gelu(a @ w^T + bias)         (BiasGelu: the MLP's fc1, exact erf GELU)
//   out += a @ w^T + bias               (BiasAccumulate: proj and fc2 into the residual stream)
//
// Two implementations behind one interface, chosen per LinearCache (InferenceBackend):
// - OneDnn (InferenceLinearDnnl.cpp, built when oneDNN's headers are found, Debian's
//   libdnnl-dev; the library itself is already in every process, LibTorch links it): oneDNN's
//   matmul with the weights reordered once into its blocked layout and the epilogue as
//   post-ops, in row chunks on ChunkPool. Why: on this Zen 5 CPU OpenBLAS runs its AVX2
//   kernels (the machine sets OPENBLAS_CORETYPE=Haswell, and 0.3.21 does not know the CPU) at
//   half the AVX-512 peak, in its own pthread pool that spins against ATen's OpenMP threads;
//   oneDNN runs AVX-512 brgemm kernels (bf16 ones where the CPU has them) on one pool.
// - Blas (InferenceLinearAten.cpp, always built): addmm through LibTorch's BLAS, bias and GELU
//   as separate passes, fp32 only. The default where oneDNN is not built in (a pip LibTorch
//   without oneDNN's headers); built everywhere so the golden test runs it in every build.
// Both give the same values up to fp32 rounding; the golden torchvision test holds each.

#include <ATen/ATen.h>

#include <memory>

namespace meridian::model {

enum class LinearEpilogue { Bias, BiasGelu, BiasAccumulate };

enum class InferenceBackend { OneDnn, Blas };

/// "onednn" or "blas".
const char* inferenceBackendName(InferenceBackend backend);
/// Whether this build has `backend`: Blas always, OneDnn where oneDNN's headers were found.
bool inferenceBackendBuilt(InferenceBackend backend);
/// The backend a new LinearCache takes: OneDnn where built, else Blas, unless set below.
InferenceBackend defaultInferenceBackend();
/// Sets the backend later LinearCaches (and so later models) take; throws std::invalid_argument
/// when it is not built. For tests and benchmarks that compare the backends.
void setDefaultInferenceBackend(InferenceBackend backend);

class LinearBackend;  // InferenceBackend.hpp

/// Prepared weights and kernels of one backend, keyed by the weight tensor (and its version
/// counter, so a weight changed in place is prepared again). One per model; thread-safe.
class LinearCache {
 public:
  explicit LinearCache(InferenceBackend backend = defaultInferenceBackend());
  ~LinearCache();
  LinearCache(const LinearCache&) = delete;
  LinearCache& operator=(const LinearCache&) = delete;
  InferenceBackend backend() const { return backend_; }
  /// Whether the products take bf16 operands (bf16 weights) and write fp32 or bf16: OneDnn.
  bool takesBf16() const { return backend_ == InferenceBackend::OneDnn; }
  LinearBackend& implementation() { return *implementation_; }

 private:
  InferenceBackend backend_;
  std::unique_ptr<LinearBackend> implementation_;
};

/// `a` [M, K] contiguous (fp32, or bf16 with a bf16 weight), `weight` [N, K] contiguous (or
/// [N, ...] with K elements after the first dimension: a convolution's weight applied to its
/// flattened patches, InferencePatchEmbed.hpp),
/// `bias` [N] or undefined, `out` [M, N] contiguous fp32 (or bf16 for Bias/BiasGelu).
void inferenceLinear(LinearCache& cache, const at::Tensor& a, const at::Tensor& weight, const at::Tensor& bias,
                     at::Tensor& out, LinearEpilogue epilogue);

/// Self-attention's core from the qkv product's output [B*T, 3D] (q, k, v, each head-major
/// within D, as torchvision and timm lay them out): softmax(q k^T / sqrt(headDim)) v, written
/// as tokens [B*T, D] (heads side by side), for `batch` images of `tokens` tokens. qkv and out
/// are fp32, or both bf16 where the backend takes bf16 (the softmax stays fp32 inside).
void inferenceAttention(LinearCache& cache, const at::Tensor& qkv, std::int64_t batch, std::int64_t tokens,
                        std::int64_t heads, at::Tensor& out);

/// For the inference pass's lifetime: ATen's own operations (copies) run on the calling
/// thread only when the products bring their own pool (OneDnn: ChunkPool), so no OpenMP team
/// waits at a barrier for a thread the OS has not scheduled. No effect with Blas, whose
/// products are ATen's and use its OpenMP team.
class InferenceThreadsScope {
 public:
  explicit InferenceThreadsScope(const LinearCache& cache);
  ~InferenceThreadsScope();
  InferenceThreadsScope(const InferenceThreadsScope&) = delete;
  InferenceThreadsScope& operator=(const InferenceThreadsScope&) = delete;

 private:
  int saved_ = 0;  // the team size to restore, 0 when unchanged
};

}  // namespace meridian::model
