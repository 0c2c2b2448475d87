#pragma once
// How embedding-level classifiers live in model folders:
//   probe:          the backbone with a new head (head.weight/head.bias = the probe) and a
//                   card whose task lists the labels — an ordinary classifier folder.
//   knn, prototype: the headless backbone plus classifier.safetensors ("vectors" F32 [N, D],
//                   "labels" I64 [N]; metadata kind, k, temperature, classes as JSON).
// Evaluation reads either back as "embedding -> probabilities" (the head is linear on the
// pooled features, which is what the embedding is).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "../TensorIo.hpp"
#include "EmbeddingClassifiers.hpp"
#include "LinearProbe.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/model/ModelCard.hpp"
#include "meridian/model/PreprocessConfig.hpp"
#include "meridian/model/VitConfig.hpp"

namespace meridian::model::train {

constexpr const char* kClassifierBankFile = "classifier.safetensors";

/// A base model folder's backbone: its tensors in float32 without the head, its
/// configuration and preprocessing (model.json and the weights' hash checked on the way).
struct Backbone {
  TensorMap tensors;
  VitConfig config;
  PreprocessConfig preprocess;
};
core::Result<Backbone> readBackbone(const std::filesystem::path& baseModel);

/// Saves `tensors` (timm names) as a model folder through VitModel (which checks every
/// tensor against `config`), with `card`.
core::Status saveModelFolder(const TensorMap& tensors, const VitConfig& config, const PreprocessConfig& preprocess,
                             const ModelCard& card, const std::filesystem::path& outDir);

/// Writes `baseModel`'s backbone with `head` as its classification head, and `card`.
core::Status saveProbeModel(const std::filesystem::path& baseModel, const LinearHead& head, const ModelCard& card,
                            const std::filesystem::path& outDir);

/// Writes `baseModel`'s backbone without a head, `card`, and the bank with its class names.
core::Status saveBankModel(const std::filesystem::path& baseModel, const EmbeddingBank& bank,
                           const std::vector<std::string>& classNames, const ModelCard& card,
                           const std::filesystem::path& outDir);

struct FolderClassifier {
  std::vector<std::string> labels;
  std::optional<LinearHead> head;
  std::optional<EmbeddingBank> bank;
  std::vector<double> probabilities(const std::vector<float>& embedding) const;
};

/// The classifier of a model folder: the bank when classifier.safetensors exists, else the
/// head with the card's single task. Fails for a headless model or several tasks.
core::Result<FolderClassifier> loadFolderClassifier(const std::filesystem::path& modelDir);

}  // namespace meridian::model::train
