#pragma once
// The inference backends this build has (InferenceLinear.hpp), for tests that run once per backend.

#include <vector>

#include "InferenceLinear.hpp"

namespace meridian::model::test {

inline std::vector<InferenceBackend> builtBackends() {
  std::vector<InferenceBackend> built;
  for (auto backend : {InferenceBackend::OneDnn, InferenceBackend::Blas})
    if (inferenceBackendBuilt(backend)) built.push_back(backend);
  return built;
}

}  // namespace meridian::model::test
