#pragma once
// The interface each CPU inference backend implements (InferenceLinear.hpp says which exist
// and why); InferenceLinear.cpp makes them and dispatches to them.

#include <memory>

#include "InferenceLinear.hpp"

namespace meridian::model {

class LinearBackend {
 public:
  virtual ~LinearBackend() = default;
  /// inferenceLinear's and inferenceAttention's contracts (InferenceLinear.hpp).
  virtual void linear(const at::Tensor& a, const at::Tensor& weight, const at::Tensor& bias, at::Tensor& out,
                      LinearEpilogue epilogue) = 0;
  virtual void attention(const at::Tensor& qkv, std::int64_t batch, std::int64_t tokens, std::int64_t heads,
                         at::Tensor& out) = 0;
};

/// InferenceLinearDnnl.cpp: only in builds with oneDNN (MERIDIAN_WITH_ONEDNN).
std::unique_ptr<LinearBackend> makeOneDnnBackend();
/// InferenceLinearAten.cpp: every build.
std::unique_ptr<LinearBackend> makeBlasBackend();

}  // namespace meridian::model
