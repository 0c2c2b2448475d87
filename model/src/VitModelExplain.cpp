// VitModel's explanations: last-layer CLS attention, attention rollout and
// gradient-weighted attention (AttentionRelevance.cpp), as AttentionMaps.

#include <c10/core/InferenceMode.h>

#include <algorithm>

#include "AttentionRelevance.hpp"
#include "VitModelImpl.hpp"
#include "meridian/model/Preprocessor.hpp"

namespace meridian::model {
namespace {

using detail::checkInput;
using detail::singleInput;
using detail::toTensor;
using detail::toVector;

AttentionMap emptyMap(const InputBatch& input, int patchSize, ExplainMethod method) {
  AttentionMap map;
  map.method = method;
  map.gridHeight = input.height / patchSize;
  map.gridWidth = input.width / patchSize;
  map.patchSize = patchSize;
  Letterbox& box = map.letterbox;  // the input is the image: identity mapping
  box.originalWidth = box.resizedWidth = input.width;
  box.originalHeight = box.resizedHeight = input.height;
  box.inputSize = std::max(input.width, input.height);
  return map;
}

core::Error forwardFailed(const std::exception& e) {
  return core::makeError(core::ErrorCode::Internal, std::string("model forward failed: ") + e.what());
}

}  // namespace

core::Result<std::vector<AttentionMap>> VitModel::clsAttention(const InputBatch& input) const {
  return explain(input, ExplainMethod::ClsAttention);
}

core::Result<AttentionMap> VitModel::clsAttention(const core::Image2D& image) const {
  return explain(image, ExplainMethod::ClsAttention);
}

core::Result<std::vector<AttentionMap>> VitModel::explain(const InputBatch& input, ExplainMethod method,
                                                          int targetClass) const {
  auto status = checkInput(input, impl_->config);
  if (!status) return status.error();
  const int classes = impl_->config.numClasses;
  if (method == ExplainMethod::GradientAttention) {
    if (classes == 0)
      return core::makeError(core::ErrorCode::InvalidArgument,
                             "gradient-weighted attention needs a classification head; this model has none");
    if (targetClass < -1 || targetClass >= classes)
      return core::makeError(
          core::ErrorCode::InvalidArgument,
          "class " + std::to_string(targetClass) + " is not one of the head's " + std::to_string(classes) + " classes");
  }
  VitOutput cls;
  RelevanceMaps relevance;
  try {
    if (method == ExplainMethod::GradientAttention) {
      relevance = gradientWeightedAttention(*impl_->net, toTensor(input, impl_->device), targetClass);
    } else {
      c10::InferenceMode inference;
      if (method == ExplainMethod::Rollout)
        relevance = attentionRollout(*impl_->net, toTensor(input, impl_->device));
      else
        cls = impl_->net->forward(toTensor(input, impl_->device), /*withClsAttention=*/true);
    }
  } catch (const std::exception& e) {  // e.g. out of memory inside LibTorch
    return forwardFailed(e);
  }
  if (auto finite = detail::checkFinite(cls.clsAttention, "attention"); !finite) return finite.error();
  if (auto finite = detail::checkFinite(relevance.patches, "relevance maps"); !finite) return finite.error();
  std::vector<AttentionMap> maps;
  for (int i = 0; i < input.batch; ++i) {
    AttentionMap map = emptyMap(input, impl_->config.patchSize, method);
    if (method == ExplainMethod::ClsAttention) {
      map.heads = impl_->config.heads;
      map.perHead = toVector(cls.clsAttention[i]);
      map.mean = toVector(cls.clsAttention[i].mean(0));
    } else {
      map.mean = toVector(relevance.patches[i]);
      if (relevance.targets.defined()) map.targetClass = static_cast<int>(relevance.targets[i].item<std::int64_t>());
    }
    maps.push_back(std::move(map));
  }
  return maps;
}

core::Result<AttentionMap> VitModel::explain(const core::Image2D& image, ExplainMethod method, int targetClass) const {
  auto input = preprocessImage(image, impl_->config.imageSize, impl_->preprocess);
  if (!input) return input.error();
  auto maps = explain(singleInput(input.value()), method, targetClass);
  if (!maps) return maps.error();
  AttentionMap map = std::move(maps.value().front());
  map.letterbox = input.value().letterbox;
  return map;
}

}  // namespace meridian::model
