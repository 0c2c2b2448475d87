#pragma once
// How a ViT explains a prediction as a map over its patches.

#include <optional>
#include <string>

namespace meridian::model {

enum class ExplainMethod {
  // The last block's attention from the CLS query to each patch, per head and averaged:
  // cheap (one forward pass), shows where the final read-out looks.
  ClsAttention,
  // Attention rollout (Abnar & Zuidema 2020): per block the head-averaged attention plus
  // the identity (the residual path), rows renormalised, multiplied through the blocks;
  // the CLS row over the patches. Class-agnostic; one forward pass.
  Rollout,
  // Gradient-weighted attention (Chefer, Gur & Wolf 2021, "Generic attention-model
  // explainability"): per block relu(dy_c/dA ⊙ A) averaged over heads, accumulated as
  // R <- R + Ā R from R = identity; the CLS row over the patches. For one class c of the
  // head (default: the top-1 class); one forward and one backward pass.
  GradientAttention,
};

/// "cls", "rollout", "gradcam": the command line's and the JSON's spelling.
const char* toString(ExplainMethod method);
std::optional<ExplainMethod> parseExplainMethod(const std::string& text);

}  // namespace meridian::model
