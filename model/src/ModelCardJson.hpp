#pragma once
// The model card's part of model.json: "name", "modality", "tasks" and "provenance"
// (snake_case keys). Private; used by ModelJson.

#include <nlohmann/json.hpp>

#include "meridian/core/Result.hpp"
#include "meridian/model/ModelCard.hpp"

namespace meridian::model {

/// Adds the card's keys to a model.json object.
void writeModelCard(const ModelCard& card, nlohmann::json& modelJson);
/// Reads them back; missing keys keep their defaults.
core::Result<ModelCard> readModelCard(const nlohmann::json& modelJson);

}  // namespace meridian::model
