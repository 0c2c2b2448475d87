#pragma once
// The labelled tiles of skimage's IHC image (make_ihc_tiles.py, a CTest fixture) and a
// small seed-fixed ViT for the training tests.

#include <filesystem>

#include "PpmImage.hpp"
#include "meridian/model/Labels.hpp"
#include "meridian/model/VitConfig.hpp"

namespace meridian::model::test {

inline std::filesystem::path ihcTilesDir() {
  return MERIDIAN_MODEL_IHC_TILES_DIR;
}

/// ViT-T proportions at a 32-pixel input (4 patches of 16): fast enough for unit tests.
inline VitConfig tinyVitConfig(int numClasses = 0) {
  VitConfig c;
  c.imageSize = 32;
  c.patchSize = 16;
  c.embedDim = 48;
  c.depth = 3;
  c.heads = 3;
  c.numClasses = numClasses;
  return c;
}

}  // namespace meridian::model::test
