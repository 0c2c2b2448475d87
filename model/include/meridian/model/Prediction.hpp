#pragma once
#include <vector>

namespace meridian::model {

/// One image's model output.
struct Prediction {
  std::vector<float> logits;         // numClasses (empty when the model has no head)
  std::vector<float> probabilities;  // softmax of the logits
  std::vector<float> embedding;      // pooled, normalised features (embedDim)
};

}  // namespace meridian::model
