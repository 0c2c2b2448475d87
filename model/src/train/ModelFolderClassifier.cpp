#include "ModelFolderClassifier.hpp"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "../TensorIo.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/model/SafeTensorsFile.hpp"
#include "meridian/model/VitModel.hpp"
#include "meridian/model/WeightLayout.hpp"

namespace meridian::model::train {

namespace fs = std::filesystem;

namespace {

constexpr const char* kWeightsFile = "weights.safetensors";  // VitModel's folder layout

core::Error bad(const fs::path& where, const std::string& what) {
  return core::makeError(core::ErrorCode::InvalidArgument, where.string() + ": " + what);
}

}  // namespace

core::Result<Backbone> readBackbone(const fs::path& baseModel) {
  auto base = VitModel::load(baseModel);  // validates model.json and the weights' hash
  if (!base) return base.error();
  auto tensors = loadSafeTensors(baseModel / kWeightsFile);
  if (!tensors) return tensors.error();
  Backbone out{std::move(tensors).value(), base.value()->config(), base.value()->preprocessConfig()};
  out.tensors.erase("head.weight");
  out.tensors.erase("head.bias");
  for (auto& [name, tensor] : out.tensors) tensor = tensor.to(torch::kFloat32);
  return out;
}

core::Status saveModelFolder(const TensorMap& tensors, const VitConfig& config, const PreprocessConfig& preprocess,
                             const ModelCard& card, const fs::path& outDir) {
  std::error_code ec;
  fs::create_directories(outDir, ec);
  if (ec) return core::makeError(core::ErrorCode::Io, outDir.string() + ": cannot create: " + ec.message());
  const auto staging = outDir / ".staging-weights.safetensors";
  auto status = saveSafeTensors(staging, tensors);
  if (!status) return status;
  auto model = VitModel::load(staging, config, WeightLayout::Timm, preprocess);
  fs::remove(staging, ec);
  if (!model) return model.error();
  model.value()->setCard(card);
  return model.value()->save(outDir);
}

std::vector<double> FolderClassifier::probabilities(const std::vector<float>& embedding) const {
  return head ? head->probabilities(embedding) : bank->probabilities(embedding);
}

core::Status saveProbeModel(const fs::path& baseModel, const LinearHead& head, const ModelCard& card,
                            const fs::path& outDir) {
  auto backbone = readBackbone(baseModel);
  if (!backbone) return backbone.error();
  if (head.dim != backbone.value().config.embedDim) return bad(baseModel, "probe width differs from the backbone's");
  TensorMap tensors = backbone.value().tensors;
  tensors["head.weight"] =
      torch::tensor(head.weight, torch::kFloat64).reshape({head.classes, head.dim}).to(torch::kFloat32);
  tensors["head.bias"] = torch::tensor(head.bias, torch::kFloat64).to(torch::kFloat32);
  VitConfig config = backbone.value().config;
  config.numClasses = head.classes;
  return saveModelFolder(tensors, config, backbone.value().preprocess, card, outDir);
}

core::Status saveBankModel(const fs::path& baseModel, const EmbeddingBank& bank,
                           const std::vector<std::string>& classNames, const ModelCard& card, const fs::path& outDir) {
  auto backbone = readBackbone(baseModel);
  if (!backbone) return backbone.error();
  VitConfig config = backbone.value().config;
  config.numClasses = 0;
  ModelCard headless = card;
  headless.tasks.clear();  // the labels live with the bank: the ViT itself has no head
  auto status = saveModelFolder(backbone.value().tensors, config, backbone.value().preprocess, headless, outDir);
  if (!status) return status;

  const auto n = static_cast<std::int64_t>(bank.vectors.size());
  const auto dim = static_cast<std::int64_t>(bank.vectors.front().size());
  auto vectors = torch::empty({n, dim}, torch::kFloat32);
  for (std::int64_t i = 0; i < n; ++i)
    std::copy(bank.vectors[static_cast<std::size_t>(i)].begin(), bank.vectors[static_cast<std::size_t>(i)].end(),
              vectors.data_ptr<float>() + i * dim);
  const std::vector<std::int64_t> labels(bank.labels.begin(), bank.labels.end());
  const nlohmann::json metadata{{"kind", bank.kind == EmbeddingBank::Kind::Knn ? "knn" : "prototype"},
                                {"k", bank.k},
                                {"temperature", bank.temperature},
                                {"classes", classNames}};
  std::map<std::string, std::string> meta;
  for (const auto& [key, value] : metadata.items()) meta[key] = value.dump();
  return saveSafeTensors(outDir / kClassifierBankFile, {{"vectors", vectors}, {"labels", torch::tensor(labels)}}, meta);
}

core::Result<FolderClassifier> loadFolderClassifier(const fs::path& modelDir) {
  FolderClassifier out;
  const auto bankPath = modelDir / kClassifierBankFile;
  std::error_code ec;
  if (fs::exists(bankPath, ec)) {
    auto file = SafeTensorsFile::open(bankPath);
    if (!file) return file.error();
    auto tensors = loadSafeTensors(bankPath);
    if (!tensors) return tensors.error();
    const auto& meta = file.value().metadata();
    const auto vectors = tensors.value().find("vectors");
    const auto labels = tensors.value().find("labels");
    if (vectors == tensors.value().end() || labels == tensors.value().end() || !meta.count("kind") ||
        !meta.count("classes") || vectors->second.dim() != 2 || labels->second.numel() != vectors->second.size(0))
      return bad(bankPath, "not a classifier bank (vectors, labels and kind/classes metadata expected)");
    try {
      EmbeddingBank bank;
      bank.kind = nlohmann::json::parse(meta.at("kind")).get<std::string>() == "knn" ? EmbeddingBank::Kind::Knn
                                                                                     : EmbeddingBank::Kind::Prototype;
      out.labels = nlohmann::json::parse(meta.at("classes")).get<std::vector<std::string>>();
      bank.k = meta.count("k") ? nlohmann::json::parse(meta.at("k")).get<int>() : 20;
      bank.temperature = meta.count("temperature") ? nlohmann::json::parse(meta.at("temperature")).get<double>() : 0.07;
      bank.classes = static_cast<int>(out.labels.size());
      const auto v = vectors->second.to(torch::kFloat32).contiguous();
      const auto l = labels->second.to(torch::kLong).contiguous();
      for (std::int64_t i = 0; i < v.size(0); ++i) {
        bank.vectors.emplace_back(v[i].data_ptr<float>(), v[i].data_ptr<float>() + v.size(1));
        const auto label = l[i].item<std::int64_t>();
        if (label < 0 || label >= bank.classes) return bad(bankPath, "a bank label is out of range");
        bank.labels.push_back(static_cast<int>(label));
      }
      out.bank = std::move(bank);
    } catch (const nlohmann::json::exception& e) {
      return bad(bankPath, std::string("bad metadata: ") + e.what());
    }
    return out;
  }

  auto model = VitModel::load(modelDir);
  if (!model) return model.error();
  const auto& card = model.value()->card();
  if (model.value()->config().numClasses == 0)
    return bad(modelDir, "the model has no classification head and no classifier.safetensors: train one first");
  if (card.tasks.size() != 1)
    return bad(modelDir,
               "evaluation needs a model with exactly one task (it has " + std::to_string(card.tasks.size()) + ")");
  auto tensors = loadSafeTensors(modelDir / kWeightsFile);
  if (!tensors) return tensors.error();
  const auto weight = tensors.value().find("head.weight");
  const auto bias = tensors.value().find("head.bias");
  if (weight == tensors.value().end() || bias == tensors.value().end())
    return bad(modelDir, "weights have no head.weight/head.bias");
  LinearHead head;
  const auto w = weight->second.to(torch::kFloat64).contiguous();
  const auto b = bias->second.to(torch::kFloat64).contiguous();
  head.classes = static_cast<int>(w.size(0));
  head.dim = static_cast<int>(w.size(1));
  head.weight.assign(w.data_ptr<double>(), w.data_ptr<double>() + w.numel());
  head.bias.assign(b.data_ptr<double>(), b.data_ptr<double>() + b.numel());
  out.labels = card.tasks.front().labels;
  out.head = std::move(head);
  return out;
}

}  // namespace meridian::model::train
