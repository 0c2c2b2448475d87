#include "meridian/model/AggregationAttentionPool.hpp"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <map>

#include "GatedAttentionMil.hpp"
#include "meridian/model/SafeTensorsFile.hpp"

namespace meridian::model {

struct AttentionPool::Impl {
  GatedAttentionMil net{nullptr};
};

namespace {

constexpr const char* kPrefix = "aggregator.";

core::Error bad(const std::filesystem::path& file, const std::string& message) {
  return core::makeError(core::ErrorCode::Corrupt, file.string() + ": " + message);
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

AttentionPool::AttentionPool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AttentionPool::~AttentionPool() = default;
AttentionPool::AttentionPool(AttentionPool&&) noexcept = default;
AttentionPool& AttentionPool::operator=(AttentionPool&&) noexcept = default;

core::Result<std::unique_ptr<AttentionPool>> AttentionPool::load(const std::filesystem::path& safetensors) {
  auto file = SafeTensorsFile::open(safetensors);
  if (!file) return file.error();
  std::map<std::string, const TensorEntry*> found;
  for (const auto& entry : file.value().entries())
    if (entry.name.rfind(kPrefix, 0) == 0) found[entry.name.substr(std::string(kPrefix).size())] = &entry;
  if (found.empty()) return std::unique_ptr<AttentionPool>();

  const auto need = [&](const std::string& name) -> core::Result<const TensorEntry*> {
    const auto it = found.find(name);
    if (it == found.end())
      return bad(safetensors, "aggregator is incomplete: no tensor '" + std::string(kPrefix) + name + "'");
    if (it->second->dtype != TensorDType::F32)
      return bad(safetensors,
                 "'" + std::string(kPrefix) + name + "' must be F32, it is " + toString(it->second->dtype));
    return it->second;
  };
  const char* names[] = {"attention_V.weight", "attention_V.bias", "attention_U.weight", "attention_U.bias",
                         "attention_w.weight", "attention_w.bias", "classifier.weight",  "classifier.bias"};
  std::map<std::string, const TensorEntry*> entries;
  for (const char* name : names) {
    auto e = need(name);
    if (!e) return e.error();
    entries[name] = e.value();
  }
  for (const auto& [name, entry] : found)
    if (!entries.count(name))
      return bad(safetensors, "unknown aggregator tensor '" + std::string(kPrefix) + name + "'");

  const auto& v = entries["attention_V.weight"]->shape;
  if (v.size() != 2 || v[0] < 1 || v[1] < 1)
    return bad(safetensors, "'aggregator.attention_V.weight' must be [L, D], it is " + shapeText(v));
  const std::int64_t hidden = v[0], dim = v[1];
  const auto& cls = entries["classifier.weight"]->shape;
  if (cls.size() != 2 || cls[0] < 1)
    return bad(safetensors, "'aggregator.classifier.weight' must be [C, D], it is " + shapeText(cls));
  const std::int64_t classes = cls[0];
  const std::map<std::string, std::vector<std::int64_t>> expected = {
      {"attention_V.weight", {hidden, dim}}, {"attention_V.bias", {hidden}},      {"attention_U.weight", {hidden, dim}},
      {"attention_U.bias", {hidden}},        {"attention_w.weight", {1, hidden}}, {"attention_w.bias", {1}},
      {"classifier.weight", {classes, dim}}, {"classifier.bias", {classes}}};
  auto impl = std::make_unique<Impl>();
  impl->net = GatedAttentionMil(dim, hidden, classes);
  auto params = impl->net->named_parameters(true);
  for (const auto& [name, shape] : expected) {
    const TensorEntry* entry = entries[name];
    if (entry->shape != shape)
      return bad(safetensors, "'" + std::string(kPrefix) + name + "' has shape " + shapeText(entry->shape) +
                                  ", the aggregator needs " + shapeText(shape));
    at::Tensor* param = params.find(name);
    if (!param) return core::makeError(core::ErrorCode::Internal, "aggregator module lacks parameter " + name);
    at::NoGradGuard noGrad;
    auto status = file.value().readBytes(*entry, param->data_ptr(), static_cast<std::uint64_t>(param->nbytes()));
    if (!status) return status.error();
  }
  impl->net->eval();
  return std::unique_ptr<AttentionPool>(new AttentionPool(std::move(impl)));
}

int AttentionPool::embedDim() const {
  return impl_->net->embedDim();
}
int AttentionPool::hiddenDim() const {
  return impl_->net->hiddenDim();
}
int AttentionPool::classes() const {
  return impl_->net->classes();
}

core::Result<AttentionPoolResult> AttentionPool::pool(const std::vector<float>& embeddings, int instances) const {
  const int dim = embedDim();
  if (instances < 1) return core::makeError(core::ErrorCode::InvalidArgument, "attention pooling: no instances");
  if (embeddings.size() != static_cast<std::size_t>(instances) * static_cast<std::size_t>(dim))
    return core::makeError(core::ErrorCode::InvalidArgument, "attention pooling: the aggregator takes " +
                                                                 std::to_string(dim) + "-dimensional embeddings, got " +
                                                                 std::to_string(embeddings.size()) + " floats for " +
                                                                 std::to_string(instances) + " instances");
  AttentionPoolResult result;
  try {
    c10::InferenceMode inference;
    const at::Tensor h = at::from_blob(const_cast<float*>(embeddings.data()), {instances, dim}, at::kFloat);
    const GatedAttentionOutput out = impl_->net->forward(h);
    const at::Tensor p = out.probabilities.contiguous();
    const at::Tensor a = out.weights.contiguous();
    result.probabilities.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
    result.weights.assign(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
  } catch (const std::exception& e) {
    return core::makeError(core::ErrorCode::Internal, std::string("attention pooling failed: ") + e.what());
  }
  result.available = true;
  return result;
}

std::filesystem::path modelWeightsFile(const std::filesystem::path& modelDirectory) {
  std::error_code ec;
  for (const char* name : {"weights.safetensors", "model.safetensors"})
    if (std::filesystem::is_regular_file(modelDirectory / name, ec)) return modelDirectory / name;
  return {};
}

std::filesystem::path modelAggregatorFile(const std::filesystem::path& modelDirectory) {
  return modelDirectory / "aggregator.safetensors";
}

core::Result<std::unique_ptr<AttentionPool>> loadModelAggregator(const std::filesystem::path& modelDirectory) {
  const auto file = modelAggregatorFile(modelDirectory);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::unique_ptr<AttentionPool>();
  return AttentionPool::load(file);
}

AttentionPoolResult poolOrExplain(const AttentionPool* pool, const std::vector<float>& embeddings, int instances) {
  AttentionPoolResult none;
  if (!pool) {
    none.reason = "the model has no aggregator.safetensors: attention pooling not available (mean/max given)";
    return none;
  }
  auto pooled = pool->pool(embeddings, instances);
  if (!pooled) {
    none.reason = pooled.error().message;
    return none;
  }
  return pooled.value();
}

}  // namespace meridian::model
