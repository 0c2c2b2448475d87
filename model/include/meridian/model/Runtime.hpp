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

/// Configures LibTorch for this process (intra-op threads = hardware cores, or the cap set by
/// setIntraOpThreads) once and reports what it found.
RuntimeInfo initializeRuntime();

/// Caps the threads one operation uses in this process from now on -- LibTorch's intra-op
/// threads and OpenBLAS's own pool, which LibTorch's setting does not reach -- at `threads`,
/// or one per core when 0 (the default; the CLI keeps it). The window passes one core fewer
/// than the machine has, so its UI thread is never left waiting for a core.
/// Under OpenMP the team size is per thread: this sets it for the calling thread and for
/// threads that run their first LibTorch operation later; a thread that ran some before
/// takes it with applyIntraOpThreads(). OpenBLAS's pool is process-wide.
void setIntraOpThreads(int threads);
/// The cap (setIntraOpThreads), or the machine's hardware threads when none is set.
int intraOpThreads();
/// Brings the calling thread's LibTorch team size to intraOpThreads() (cheap when it is
/// already there): where a model job starts on a worker thread.
void applyIntraOpThreads();

struct MatmulCheck {
  int size = 0;                 // n of the n x n x n product
  double gflops = 0.0;          // median of several runs
  double maxRelativeError = 0;  // against a plain double-precision loop
};

/// Multiplies two random n x n float matrices with LibTorch and checks the product
/// against a naive loop. Fails when the answer is wrong; `gflops` tells whether
/// an optimised BLAS is behind LibTorch (the reference BLAS runs ~35x slower).
core::Result<MatmulCheck> checkMatmul(int n = 256);

/// GFLOP/s of LibTorch's matrix product [m, k] x [k, n] in float32 or bfloat16 (`bf16`),
/// median of `runs` after a warm-up: the ceiling a model built on these products can
/// approach on this machine (benchmarks report their speed against it).
double matmulGflops(int m, int k, int n, bool bf16, int runs = 5);

/// GFLOP/s of the fp32 inference path's product [m, k] x [n, k]^T + bias, as a ViT block runs
/// it (InferenceLinear: oneDNN's chunked kernels where built with it, else LibTorch's BLAS),
/// median of `runs` after a warm-up. `backend` receives "onednn" or "blas" when given.
double inferenceLinearGflops(int m, int k, int n, int runs = 5, std::string* backend = nullptr);

}  // namespace meridian::model
