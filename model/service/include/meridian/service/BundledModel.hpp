#pragma once
// Where the bundled default model (resources/model, see resources/README.md) is: the model
// panel's default folder and `project predict`'s default model. Torch-free (it only looks).

#include <filesystem>
#include <optional>
#include <vector>

namespace meridian::service {

/// In order: $MERIDIAN_MODEL when set; <exe>/../../resources/model (a build tree inside the
/// source tree); <exe>/../share/meridian/model (an install).
std::vector<std::filesystem::path> bundledModelCandidates();

/// The first candidate holding a model.json, if any.
std::optional<std::filesystem::path> bundledModelFolder();

}  // namespace meridian::service
