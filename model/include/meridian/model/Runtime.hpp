#pragma once
// What the embedded LibTorch can do on this machine. Torch-free header: ui/ and app/
// include it.

#include <string>

#include "meridian/core/Result.hpp"

namespace meridian::model {

struct RuntimeInfo {
  std::string torchVersion;   // e.g. "1.13.0"
  bool cudaAvailable = false;
  int cudaDeviceCount = 0;
  int intraOpThreads = 0;     // threads LibTorch uses for one operator
  std::string blasLibrary;    // shared library behind torch's BLAS calls, when known
};

/// Configures LibTorch for this process (intra-op threads = hardware cores) once and
/// reports what it found.
RuntimeInfo initializeRuntime();

struct MatmulCheck {
  int size = 0;                 // n of the n x n x n product
  double gflops = 0.0;          // median of several runs
  double maxRelativeError = 0;  // against a plain double-precision loop
};

/// Multiplies two random n x n float matrices with LibTorch and checks the product
/// against a naive loop. Fails when the answer is wrong; `gflops` tells whether
/// an optimised BLAS is behind LibTorch (the reference BLAS runs ~35x slower).
core::Result<MatmulCheck> checkMatmul(int n = 256);

}  // namespace meridian::model
