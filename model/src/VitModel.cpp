#include "meridian/model/VitModel.hpp"

#include <c10/core/InferenceMode.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include "BatchBackoff.hpp"
#include "ModelJson.hpp"
#include "TensorIo.hpp"
#include "VitModelImpl.hpp"
#include "WeightImporter.hpp"
#include "WeightShapes.hpp"
#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/core/Logging.hpp"
#include "meridian/core/RegularFile.hpp"
#include "meridian/model/SafeTensorsFile.hpp"
#include "meridian/model/Preprocessor.hpp"
#include "meridian/model/Runtime.hpp"

namespace meridian::model {

namespace {

// In bf16 on the CPU a large batch runs in chunks of about this many tokens: the
// activations of a chunk (e.g. the MLP's [tokens, 4 x width] product) then stay in the
// last-level cache. On the 2-core EPYC development VM, ViT-B/16 bf16 at 224 px gave 8.85
// images/s at batch 4 and 8.88 at batch 8, but 7.2 at batch 16 in one piece (`bench_vit 3
// 2,4,8 meridian-only`). fp32 (OpenBLAS) lost with chunks (2.90 vs 3.21 images/s at batch
// 16), and GPUs want the whole batch: both run it in one piece.
constexpr std::int64_t kCpuTokensPerChunk = 1600;  // 8 images of 197 tokens

// model.json holds a card and a configuration: a few kB (label lists make it longer).
constexpr std::uint64_t kMaxModelJsonBytes = 16ull << 20;

std::int64_t cpuChunk(const VitConfig& config, const InputBatch& input, const at::Device& device,
                      Precision precision) {
  if (!device.is_cpu() || precision != Precision::BFloat16) return input.batch;
  const std::int64_t tokens = static_cast<std::int64_t>(input.height / config.patchSize) *
                                  (input.width / config.patchSize) +
                              1 + config.registerTokens;
  return std::max<std::int64_t>(1, kCpuTokensPerChunk / tokens);
}


using detail::checkInput;
using detail::singleInput;
using detail::toTensor;
using detail::toVector;

// Softmax over each task's slice of the logits ([B, classes]); one softmax when the card
// names no tasks or one task.
at::Tensor taskProbabilities(const at::Tensor& logits, const ModelCard& card) {
  if (card.tasks.size() < 2) return at::softmax(logits, 1);
  std::vector<at::Tensor> parts;
  std::int64_t first = 0;
  for (const ModelTask& task : card.tasks) {
    const auto count = static_cast<std::int64_t>(task.labels.size());
    parts.push_back(at::softmax(logits.slice(1, first, first + count), 1));
    first += count;
  }
  return at::cat(parts, 1);
}

std::string utcNowIso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
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
  // Seeded before the modules are built: their constructors draw the initial values of
  // what initializeWeights() leaves alone (the patch-embedding convolution).
  at::manual_seed(seed);
  auto impl = makeImpl(config, preprocess);
  if (!impl) return impl.error();
  impl.value()->net->initializeWeights();
  return std::unique_ptr<VitModel>(new VitModel(std::move(impl).value()));
}

core::Result<std::unique_ptr<VitModel>> VitModel::load(const std::filesystem::path& safetensors,
                                                       const VitConfig& config, WeightLayout layout,
                                                       const PreprocessConfig& preprocess) {
  // The configuration is checked against the file's header before the network exists:
  // nothing is allocated for a configuration the weights do not fill.
  if (auto valid = config.validate(); !valid) return valid.error();
  auto header = SafeTensorsFile::open(safetensors);
  if (!header) return header.error();
  if (auto fits = checkWeightsFitConfig(header.value(), config, layout); !fits) return fits.error();
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
  const auto jsonPath = directory / kModelJsonFile;
  // A FIFO named model.json would block forever, a device never end.
  auto regular = core::checkRegularFile(jsonPath);
  if (!regular) {
    if (regular.error().code == core::ErrorCode::NotFound)
      return core::makeError(core::ErrorCode::NotFound, jsonPath.string() + ": cannot open (not a model folder?)");
    return regular.error();
  }
  if (regular.value().size > kMaxModelJsonBytes)
    return core::makeError(core::ErrorCode::Corrupt, jsonPath.string() + ": " + std::to_string(regular.value().size) +
                                                         " bytes is far larger than any model description");
  std::ifstream in(jsonPath);
  if (!in) return core::makeError(core::ErrorCode::NotFound, jsonPath.string() + ": cannot open (not a model folder?)");
  std::stringstream text;
  text << in.rdbuf();
  auto description = parseModelJson(text.str());
  if (!description)
    return core::makeError(description.error().code, jsonPath.string() + ": " + description.error().message);
  const ModelDescription& d = description.value();
  // Weights that are not the ones the card describes are refused before they are parsed.
  const auto weightsPath = directory / kWeightsFile;
  auto hash = core::sha256OfFile(weightsPath);
  if (!hash) return hash.error();
  const std::string& expected = d.card.provenance.weightsSha256;
  if (expected.empty())
    return core::makeError(core::ErrorCode::Corrupt, jsonPath.string() + ": provenance.weights_sha256 is missing, so " +
                                                         weightsPath.string() + " (SHA-256 " + hash.value() +
                                                         ") cannot be verified");
  if (hash.value() != expected)
    return core::makeError(core::ErrorCode::Corrupt, weightsPath.string() + " has SHA-256 " + hash.value() + " but " +
                                                         jsonPath.string() + " records " + expected +
                                                         ": the weights were changed or replaced");
  auto model = load(weightsPath, d.vit, WeightLayout::Timm, d.preprocess);
  if (!model) return model.error();
  model.value()->impl_->card = d.card;
  return model;
}

core::Status VitModel::save(const std::filesystem::path& directory) const {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return core::makeError(core::ErrorCode::Io, directory.string() + ": cannot create: " + ec.message());
  TensorMap tensors;
  // fp32 originals even while bf16 runs: a checkpoint must not lose precision.
  for (const auto& item : impl_->net->named_parameters(true))
    tensors.emplace(item.key(), impl_->cast.original(item.key(), item.value()));
  if (auto fits = checkTasksFitHead(impl_->card, impl_->config.numClasses); !fits) return fits;
  const auto weightsPath = directory / kWeightsFile;
  auto status = saveSafeTensors(weightsPath, tensors, {{"format", "pt"}, {"producer", "meridian"}});
  if (!status) return status;
  auto hash = core::sha256OfFile(weightsPath);
  if (!hash) return hash.error();
  ModelCard card = impl_->card;
  card.provenance.weightsSha256 = hash.value();
  if (card.provenance.createdAt.empty()) card.provenance.createdAt = utcNowIso8601();
  status = core::writeFileAtomically(directory / kModelJsonFile,
                                     toModelJson(ModelDescription{impl_->config, impl_->preprocess, card}));
  if (!status) return status;
  impl_->card = std::move(card);  // the in-memory card now describes the saved weights
  return core::Ok{};
}

const ModelCard& VitModel::card() const {
  return impl_->card;
}

void VitModel::setCard(ModelCard card) {
  impl_->card = std::move(card);
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
  const bool onGpu = impl_->device.is_cuda();
  if (precision == Precision::BFloat16 && !onGpu && !bf16Support().available) {
    choice.reason = "bfloat16 unavailable, using float32: " + bf16Support().reason;
    precision = Precision::Float32;
  } else if (precision == Precision::BFloat16) {
    choice.reason = onGpu ? "on " + impl_->device.str() : bf16Support().reason;
  } else {
    choice.reason = "float32 requested";
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
    const at::Tensor x = toTensor(input, impl_->device);
    std::vector<at::Tensor> features, logits;
    const std::int64_t firstChunk = cpuChunk(impl_->config, input, impl_->device, impl_->precision);
    const auto backoff = runWithBatchBackoff(
        input.batch,
        [&](std::int64_t start, std::int64_t count) {
          const VitOutput part = impl_->net->forward(x.narrow(0, start, count));
          features.push_back(part.features);
          if (part.logits.defined()) logits.push_back(part.logits);
        },
        firstChunk);
    if (backoff.backedOff)
      core::logging::get(core::logging::Layer::Model)
          ->warn("a batch of {} did not fit in {} memory; ran it in chunks of {}", input.batch, impl_->device.str(),
                 backoff.chunk);
    out.features = features.size() == 1 ? features.front() : at::cat(features);
    if (!logits.empty()) out.logits = logits.size() == 1 ? logits.front() : at::cat(logits);
  } catch (const std::exception& e) {  // e.g. out of memory on a single image
    return core::makeError(core::ErrorCode::Internal, std::string("model forward failed: ") + e.what());
  }
  if (auto finite = detail::checkFinite(out.features, "embeddings"); !finite) return finite.error();
  if (auto finite = detail::checkFinite(out.logits, "logits"); !finite) return finite.error();
  std::vector<Prediction> predictions(static_cast<std::size_t>(input.batch));
  if (out.logits.defined())
    if (auto fits = checkTasksFitHead(impl_->card, impl_->config.numClasses); !fits) return fits.error();
  const at::Tensor probabilities = out.logits.defined() ? taskProbabilities(out.logits, impl_->card) : at::Tensor();
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

core::Status VitModel::checkInputKind(const core::Image2D& image, const std::string& sourceModality) const {
  if (auto kind = model::checkInputKind(image, impl_->preprocess, sourceModality); !kind) return kind;
  return model::checkLooksLikeHounsfield(image.valueRange()[0], impl_->preprocess);
}

core::Result<Prediction> VitModel::predict(const core::Image2D& image) const {
  auto input = preprocessImage(image, impl_->config.imageSize, impl_->preprocess);
  if (!input) return input.error();
  auto predictions = predict(singleInput(input.value()));
  if (!predictions) return predictions.error();
  return std::move(predictions.value().front());
}

}  // namespace meridian::model
