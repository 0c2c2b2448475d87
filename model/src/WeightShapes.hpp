#pragma once
// The shapes a ViT configuration's parameters have, computed from the configuration alone,
// and the check of a safetensors header against them. It runs before the network is built:
// a model.json asking for width 8192 and depth 256 next to ViT-T weights used to allocate
// the whole network (past 7 GB) before any shape was compared.

#include <cstdint>
#include <map>
#include <utility>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/model/SafeTensorsFile.hpp"
#include "meridian/model/VitConfig.hpp"
#include "meridian/model/WeightLayout.hpp"

namespace meridian::model {

using ParameterShapes = std::vector<std::pair<std::string, std::vector<std::int64_t>>>;

/// (name in timm layout, shape) of every parameter, in the order Vit registers them. A test
/// keeps it equal to named_parameters() of the built network.
ParameterShapes vitParameterShapes(const VitConfig& config);

/// Every tensor in `file` (keys mapped from `layout`; Auto decides from the names) is a
/// floating-point tensor with the shape `config` needs, and none is missing or extra.
/// Errors name the tensor as the file does and both shapes.
core::Status checkWeightsFitConfig(const SafeTensorsFile& file, const VitConfig& config, WeightLayout layout);

}  // namespace meridian::model
