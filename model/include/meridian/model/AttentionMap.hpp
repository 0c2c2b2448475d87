#pragma once
// A ViT's explanation of one image as a float grid over its patches (CLS attention,
// rollout or gradient-weighted attention), with the geometry needed to overlay it on the
// original image (AttentionMapGeometry.hpp turns it into the project's map convention).

#include <vector>

#include "meridian/model/ExplainMethod.hpp"
#include "meridian/model/Letterbox.hpp"

namespace meridian::model {

struct AttentionMap {
  ExplainMethod method = ExplainMethod::ClsAttention;
  int targetClass = -1;  // GradientAttention: the head output explained; -1 otherwise
  int heads = 0;         // ClsAttention: the model's heads; 0 for the other methods
  int gridHeight = 0;    // patches per column
  int gridWidth = 0;     // patches per row
  int patchSize = 0;     // input pixels per patch side
  // ClsAttention only: heads x gridHeight x gridWidth, row-major: the softmax weight the
  // CLS query gives each patch token (registers and CLS itself left out, not renormalised).
  std::vector<float> perHead;
  // gridHeight x gridWidth: ClsAttention's average over heads, or the rollout /
  // gradient-weighted relevance of each patch (CLS row, registers left out).
  std::vector<float> mean;
  // Cell (row, col) covers input pixels [col*patchSize, (col+1)*patchSize) x
  // [row*patchSize, ...); letterbox maps input pixels to original-image pixels.
  Letterbox letterbox;
};

}  // namespace meridian::model
