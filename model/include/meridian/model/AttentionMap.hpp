#pragma once
// Last-layer CLS attention of a ViT, per head and averaged over heads, as a float grid
// with the geometry needed to overlay it on the original image.

#include <vector>

#include "meridian/model/Letterbox.hpp"

namespace meridian::model {

struct AttentionMap {
  int heads = 0;
  int gridHeight = 0;  // patches per column
  int gridWidth = 0;   // patches per row
  int patchSize = 0;   // input pixels per patch side
  // heads x gridHeight x gridWidth, row-major: the softmax weight the CLS query gives
  // each patch token (registers and CLS itself left out, not renormalised).
  std::vector<float> perHead;
  std::vector<float> mean;  // gridHeight x gridWidth, average over heads
  // Cell (row, col) covers input pixels [col*patchSize, (col+1)*patchSize) x
  // [row*patchSize, ...); letterbox maps input pixels to original-image pixels.
  Letterbox letterbox;
};

}  // namespace meridian::model
