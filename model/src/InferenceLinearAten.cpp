// LibTorch-only implementation of InferenceLinear.hpp (builds without oneDNN's headers):
// addmm through LibTorch's BLAS, with the residual added by BLAS's beta = 1.
#include "InferenceLinear.hpp"

namespace meridian::model {

struct LinearCache::State {};

LinearCache::LinearCache() : state_(std::make_unique<State>()) {}
LinearCache::~LinearCache() = default;

const char* inferenceLinearBackend() { return "blas"; }

void inferenceLinear(LinearCache&, const at::Tensor& a, const at::Tensor& weight, const at::Tensor& bias,
                     at::Tensor& out, LinearEpilogue epilogue) {
  const auto w = weight.t();
  switch (epilogue) {
    case LinearEpilogue::Bias:
    case LinearEpilogue::BiasGelu:
      if (bias.defined()) at::addmm_out(out, bias.to(out.scalar_type()), a, w);
      else at::mm_out(out, a, w);
      if (epilogue == LinearEpilogue::BiasGelu) at::gelu_(out);
      break;
    case LinearEpilogue::BiasAccumulate:
      // the bias first (one pass), then the product adds into out (beta = 1)
      if (bias.defined()) out.add_(bias);
      out.addmm_(a, w);
      break;
  }
}

}  // namespace meridian::model
