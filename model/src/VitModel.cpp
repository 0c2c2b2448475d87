#include "meridian/model/VitModel.hpp"

#include <c10/core/InferenceMode.h>

#include <fstream>
#include <sstream>

#include "ConfigJson.hpp"
#include "MatmulWeightCast.hpp"
#include "TensorIo.hpp"
#include "Vit.hpp"
#include "WeightImporter.hpp"
#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/Logging.hpp"
#include "meridian/model/Preprocessor.hpp"
#include "meridian/model/Runtime.hpp"

namespace meridian::model {

struct VitModel::Impl {
  VitConfig config;
  PreprocessConfig preprocess;
  Vit net{nullptr};
  Precision precision = Precision::Float32;
  MatmulWeightCast cast;  // holds the fp32 originals while bf16 is active
};

namespace {

constexpr const char* kConfigFile = "config.json";
constexpr const char* kWeightsFile = "model.safetensors";

std::vector<float> toVector(const at::Tensor& t) {
  const auto c = t.to(at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

core::Status checkInput(const InputBatch& input, const VitConfig& config) {
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
  return core::Ok{};
}

at::Tensor toTensor(const InputBatch& input) {
  // from_blob does not copy; the InputBatch outlives the forward pass that reads it.
  return at::from_blob(const_cast<float*>(input.data.data()), {input.batch, 3, input.height, input.width},
                       at::TensorOptions().dtype(at::kFloat));
}

InputBatch singleInput(const PreprocessedImage& image) {
  return InputBatch{1, image.size, image.size, image.chw};
}

}  // namespace

core::Result<std::unique_ptr<VitModel::Impl>> VitModel::makeImpl(const VitConfig& config,
                                                                 const PreprocessConfig& preprocess) {
  auto status = config.validate();
  if (!status) return status.error();
  initializeRuntime();
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->preprocess = preprocess;
  impl->net = Vit(config);
  impl->net->eval();
  return impl;
}

VitModel::VitModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VitModel::~VitModel() = default;

core::Result<std::unique_ptr<VitModel>> VitModel::create(const VitConfig& config, std::uint64_t seed,
                                                         const PreprocessConfig& preprocess) {
  auto impl = makeImpl(config, preprocess);
  if (!impl) return impl.error();
  at::manual_seed(seed);
  impl.value()->net->initializeWeights();
  return std::unique_ptr<VitModel>(new VitModel(std::move(impl).value()));
}

core::Result<std::unique_ptr<VitModel>> VitModel::load(const std::filesystem::path& safetensors,
                                                       const VitConfig& config, WeightLayout layout,
                                                       const PreprocessConfig& preprocess) {
  auto impl = makeImpl(config, preprocess);
  if (!impl) return impl.error();
  auto weights = loadSafeTensors(safetensors);
  if (!weights) return weights.error();
  auto status = importWeights(impl.value()->net, weights.value(), layout);
  if (!status) return core::makeError(status.error().code, safetensors.string() + ": " + status.error().message);
  core::logging::get(core::logging::Layer::Model)
      ->debug("loaded ViT {}x{} d={} depth={} from {}", config.imageSize, config.imageSize, config.embedDim,
              config.depth, safetensors.string());
  return std::unique_ptr<VitModel>(new VitModel(std::move(impl).value()));
}

core::Result<std::unique_ptr<VitModel>> VitModel::load(const std::filesystem::path& directory) {
  const auto configPath = directory / kConfigFile;
  std::ifstream in(configPath);
  if (!in) return core::makeError(core::ErrorCode::NotFound, configPath.string() + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  auto config = parseModelConfig(text.str());
  if (!config) return core::makeError(config.error().code, configPath.string() + ": " + config.error().message);
  return load(directory / kWeightsFile, config.value().vit, WeightLayout::Timm, config.value().preprocess);
}

core::Status VitModel::save(const std::filesystem::path& directory) const {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return core::makeError(core::ErrorCode::Io, directory.string() + ": cannot create: " + ec.message());
  TensorMap tensors;
  // fp32 originals even while bf16 runs: a checkpoint must not lose precision.
  for (const auto& item : impl_->net->named_parameters(true))
    tensors.emplace(item.key(), impl_->cast.original(item.key(), item.value()));
  auto status = saveSafeTensors(directory / kWeightsFile, tensors, {{"format", "pt"}, {"producer", "meridian"}});
  if (!status) return status;
  return core::writeFileAtomically(directory / kConfigFile, toJson(ModelConfig{impl_->config, impl_->preprocess}));
}

const VitConfig& VitModel::config() const {
  return impl_->config;
}
const PreprocessConfig& VitModel::preprocessConfig() const {
  return impl_->preprocess;
}

PrecisionChoice VitModel::setPrecision(Precision precision) {
  PrecisionChoice choice;
  choice.requested = precision;
  if (precision == Precision::BFloat16 && !bf16Support().available) {
    choice.reason = "bfloat16 unavailable, using float32: " + bf16Support().reason;
    precision = Precision::Float32;
  } else {
    choice.reason = precision == Precision::BFloat16 ? bf16Support().reason : "float32 requested";
  }
  if (precision != impl_->precision)  // re-casting to the same type would copy 86M weights for nothing
    impl_->cast.apply(*impl_->net, precision == Precision::BFloat16 ? at::kBFloat16 : at::kFloat);
  impl_->precision = choice.active = precision;
  core::logging::get(core::logging::Layer::Model)
      ->info("ViT precision {} (requested {}): {}", toString(choice.active), toString(choice.requested), choice.reason);
  return choice;
}

Precision VitModel::precision() const {
  return impl_->precision;
}

core::Result<std::vector<Prediction>> VitModel::predict(const InputBatch& input) const {
  auto status = checkInput(input, impl_->config);
  if (!status) return status.error();
  VitOutput out;
  try {
    c10::InferenceMode inference;
    out = impl_->net->forward(toTensor(input));
  } catch (const std::exception& e) {  // e.g. out of memory inside LibTorch
    return core::makeError(core::ErrorCode::Internal, std::string("model forward failed: ") + e.what());
  }
  std::vector<Prediction> predictions(static_cast<std::size_t>(input.batch));
  const at::Tensor probabilities = out.logits.defined() ? at::softmax(out.logits, 1) : at::Tensor();
  for (int i = 0; i < input.batch; ++i) {
    Prediction& p = predictions[static_cast<std::size_t>(i)];
    p.embedding = toVector(out.features[i]);
    if (out.logits.defined()) {
      p.logits = toVector(out.logits[i]);
      p.probabilities = toVector(probabilities[i]);
    }
  }
  return predictions;
}

core::Result<std::vector<AttentionMap>> VitModel::clsAttention(const InputBatch& input) const {
  auto status = checkInput(input, impl_->config);
  if (!status) return status.error();
  VitOutput out;
  try {
    c10::InferenceMode inference;
    out = impl_->net->forward(toTensor(input), /*withClsAttention=*/true);
  } catch (const std::exception& e) {
    return core::makeError(core::ErrorCode::Internal, std::string("model forward failed: ") + e.what());
  }
  const int p = impl_->config.patchSize;
  std::vector<AttentionMap> maps(static_cast<std::size_t>(input.batch));
  for (int i = 0; i < input.batch; ++i) {
    AttentionMap& map = maps[static_cast<std::size_t>(i)];
    map.heads = impl_->config.heads;
    map.gridHeight = input.height / p;
    map.gridWidth = input.width / p;
    map.patchSize = p;
    map.perHead = toVector(out.clsAttention[i]);
    map.mean = toVector(out.clsAttention[i].mean(0));
    Letterbox& box = map.letterbox;  // the input is the image: identity mapping
    box.originalWidth = box.resizedWidth = input.width;
    box.originalHeight = box.resizedHeight = input.height;
    box.inputSize = std::max(input.width, input.height);
  }
  return maps;
}

core::Result<Prediction> VitModel::predict(const core::Image2D& image) const {
  auto input = preprocessImage(image, impl_->config.imageSize, impl_->preprocess);
  if (!input) return input.error();
  auto predictions = predict(singleInput(input.value()));
  if (!predictions) return predictions.error();
  return std::move(predictions.value().front());
}

core::Result<AttentionMap> VitModel::clsAttention(const core::Image2D& image) const {
  auto input = preprocessImage(image, impl_->config.imageSize, impl_->preprocess);
  if (!input) return input.error();
  auto maps = clsAttention(singleInput(input.value()));
  if (!maps) return maps.error();
  AttentionMap map = std::move(maps.value().front());
  map.letterbox = input.value().letterbox;
  return map;
}

}  // namespace meridian::model
