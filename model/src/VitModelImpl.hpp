#pragma once
// VitModel's private state and the input/output conversions its translation units share
// (VitModel.cpp: loading, saving, prediction; VitModelExplain.cpp: attention maps).

#include <ATen/ATen.h>

#include <cmath>
#include <string>
#include <vector>

#include "MatmulWeightCast.hpp"
#include "Vit.hpp"
#include "meridian/model/Preprocessor.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::model {

struct VitModel::Impl {
  VitConfig config;
  PreprocessConfig preprocess;
  ModelCard card;
  Vit net{nullptr};
  Precision precision = Precision::Float32;
  MatmulWeightCast cast;  // holds the fp32 originals while bf16 is active
  at::Device device{at::kCPU};
};

namespace detail {

inline std::vector<float> toVector(const at::Tensor& t) {
  const auto c = t.to(at::kCPU, at::kFloat).contiguous();  // outputs may live on a GPU
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

inline core::Status checkInput(const InputBatch& input, const VitConfig& config) {
  auto bad = [](const std::string& what) { return core::makeError(core::ErrorCode::InvalidArgument, what); };
  if (input.batch < 1 || input.height < 1 || input.width < 1) return bad("model input: empty batch");
  if (input.height % config.patchSize != 0 || input.width % config.patchSize != 0)
    return bad("model input " + std::to_string(input.width) + "x" + std::to_string(input.height) +
               " is not a multiple of the patch size " + std::to_string(config.patchSize));
  if (input.height > 4096 || input.width > 4096) return bad("model input larger than 4096 pixels");
  const std::size_t expected = static_cast<std::size_t>(input.batch) * 3 * input.height * input.width;
  if (input.data.size() != expected)
    return bad("model input holds " + std::to_string(input.data.size()) + " floats, batch x 3 x height x width is " +
               std::to_string(expected));
  // One NaN or infinity (an extreme rescale, a float image holding inf) makes every output
  // NaN: refused here, with the reason, rather than printed as a NaN probability.
  for (std::size_t i = 0; i < input.data.size(); ++i)
    if (!std::isfinite(input.data[i]))
      return core::makeError(core::ErrorCode::Corrupt,
                             "the image holds NaN or infinite values after preprocessing (image " +
                                 std::to_string(i / (expected / static_cast<std::size_t>(input.batch))) +
                                 " of the batch): its pixel values or rescale are out of any usable range");
  return core::Ok{};
}

/// NaN or infinity in what the network produced: an error naming `what` instead of a
/// result that looks like one.
inline core::Status checkFinite(const at::Tensor& t, const char* what) {
  if (!t.defined() || at::isfinite(t).all().item<bool>()) return core::Ok{};
  return core::makeError(core::ErrorCode::Corrupt, std::string("the model produced NaN or infinite ") + what +
                                                       " for this input (weights or input out of range)");
}

/// The batch as a tensor on `device` (no copy on the CPU: from_blob, and the InputBatch
/// outlives the forward pass that reads it).
inline at::Tensor toTensor(const InputBatch& input, at::Device device = at::kCPU) {
  const auto host = at::from_blob(const_cast<float*>(input.data.data()), {input.batch, 3, input.height, input.width},
                                  at::TensorOptions().dtype(at::kFloat));
  return device.is_cpu() ? host : host.to(device);
}

inline InputBatch singleInput(const PreprocessedImage& image) {
  return InputBatch{1, image.size, image.size, image.chw};
}

}  // namespace detail
}  // namespace meridian::model
