#pragma once
// How meridian-cli writes a metric with its 95% bootstrap interval: as JSON (the value's key
// and a "<key>_ci" pair [low, high]) and as text ("0.812 [0.701, 0.905]"). Shared by
// train, evaluate and evaluate-suite so that their outputs read alike.

#include <nlohmann/json.hpp>

#include <string>

#include "meridian/model/ModelCard.hpp"

namespace meridian::app {

/// [ciLow, ciHigh].
nlohmann::json intervalJson(const model::MetricValue& m);

/// "value [low, high]" with `digits` decimals each.
std::string withInterval(const model::MetricValue& m, int digits);

}  // namespace meridian::app
