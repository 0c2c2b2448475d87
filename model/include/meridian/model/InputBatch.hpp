#pragma once
#include <vector>

namespace meridian::model {

/// Already-preprocessed model input: batch x 3 x height x width floats (NCHW), e.g. from
/// preprocessImage() or from a reference implementation in a test.
struct InputBatch {
  int batch = 0;
  int height = 0;
  int width = 0;
  std::vector<float> data;
};

}  // namespace meridian::model
