#pragma once
// config.json of a Meridian model folder: the architecture and the preprocessing.
// Private (nlohmann-json stays out of the public headers).

#include <string>

#include "meridian/core/Result.hpp"
#include "meridian/model/PreprocessConfig.hpp"
#include "meridian/model/VitConfig.hpp"

namespace meridian::model {

struct ModelConfig {
  VitConfig vit;
  PreprocessConfig preprocess;
};

std::string toJson(const ModelConfig& config);
/// Missing keys keep their defaults; wrong types and invalid values are errors naming the key.
core::Result<ModelConfig> parseModelConfig(const std::string& json);

}  // namespace meridian::model
