#include "meridian/model/Runtime.hpp"

#include "ScopedIntraOpThreads.hpp"
#include "ScopedSingleThreadBlas.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "InferenceLinear.hpp"
#include "meridian/core/Logging.hpp"

namespace meridian::model {
namespace {

// The BLAS mapped into this process (Debian's LibTorch takes whatever the libblas.so.3
// alternative points at; pip builds carry MKL or OpenBLAS inside). Empty when none.
std::string blasLibraryPath() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    const std::string file = path.substr(path.rfind('/') + 1);
    if (file.find("blas") != std::string::npos || file.find("mkl_") != std::string::npos) return path;
  }
  return {};
}

std::atomic<int>& intraOpCap() {
  static std::atomic<int> cap{0};  // 0 = one per core
  return cap;
}

// A function of the BLAS mapped here, by name; nullptr when it has none (another BLAS).
void* blasSymbol(const char* name) {
  const std::string path = blasLibraryPath();
  if (!path.empty())
    if (void* handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD))
      if (void* symbol = dlsym(handle, name)) return symbol;
  return dlsym(RTLD_DEFAULT, name);
}

// Debian's libopenblas0-pthread keeps its own thread pool, one thread per core, which
// at::set_num_threads does not touch: its sizing functions, when the BLAS mapped here is
// OpenBLAS.
using BlasSetThreads = void (*)(int);
BlasSetThreads openBlasSetThreads() {
  static const auto set = reinterpret_cast<BlasSetThreads>(blasSymbol("openblas_set_num_threads"));
  return set;
}

using BlasGetThreads = int (*)();
BlasGetThreads openBlasGetThreads() {
  static const auto get = reinterpret_cast<BlasGetThreads>(blasSymbol("openblas_get_num_threads"));
  return get;
}

}  // namespace

ScopedSingleThreadBlas::ScopedSingleThreadBlas(bool enabled) {
  const BlasSetThreads set = openBlasSetThreads();
  const BlasGetThreads get = openBlasGetThreads();
  if (!enabled || set == nullptr || get == nullptr) return;
  const int current = get();
  if (current <= 1) return;
  previous_ = current;
  set(1);
}

ScopedSingleThreadBlas::~ScopedSingleThreadBlas() {
  if (previous_ > 0) openBlasSetThreads()(previous_);
}

int intraOpThreads() {
  const int cap = intraOpCap().load();
  return cap > 0 ? cap : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void setIntraOpThreads(int threads) {
  intraOpCap().store(std::max(0, threads));
  at::set_num_threads(intraOpThreads());
  if (const BlasSetThreads set = openBlasSetThreads()) set(intraOpThreads());
  core::logging::get(core::logging::Layer::Model)->debug("intra-op threads: {}", intraOpThreads());
}

void applyIntraOpThreads() {
  const int wanted = intraOpThreads();
  if (at::get_num_threads() != wanted) at::set_num_threads(wanted);
}

ScopedIntraOpThreads::ScopedIntraOpThreads(int threads) {
  if (threads == intraOpThreads()) return;
  previous_ = intraOpCap().load();
  setIntraOpThreads(threads);
}

ScopedIntraOpThreads::~ScopedIntraOpThreads() {
  if (previous_ >= 0) setIntraOpThreads(previous_);
}

RuntimeInfo initializeRuntime() {
  static std::once_flag once;
  std::call_once(once, [] {
    at::set_num_threads(intraOpThreads());
    // OpenBLAS only when capped: uncapped, it keeps its own sizing (OPENBLAS_NUM_THREADS).
    if (intraOpCap().load() > 0)
      if (const BlasSetThreads set = openBlasSetThreads()) set(intraOpThreads());
  });
  RuntimeInfo info;
  info.torchVersion = TORCH_VERSION;
  info.cudaAvailable = at::hasCUDA();
  info.cudaDeviceCount = info.cudaAvailable ? static_cast<int>(at::getNumGPUs()) : 0;
  info.intraOpThreads = at::get_num_threads();
  info.blasLibrary = blasLibraryPath();
  return info;
}

core::Result<MatmulCheck> checkMatmul(int n) {
  if (n < 8 || n > 4096) return core::makeError(core::ErrorCode::InvalidArgument, "matrix size must be 8..4096");
  initializeRuntime();
  at::manual_seed(7);
  const at::Tensor a = at::randn({n, n}, at::kFloat);
  const at::Tensor b = at::randn({n, n}, at::kFloat);

  std::vector<double> seconds;
  at::Tensor c;
  for (int run = 0; run < 5; ++run) {
    const auto t0 = std::chrono::steady_clock::now();
    c = at::mm(a, b);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(seconds.begin(), seconds.begin() + 2, seconds.end());

  // Check a few rows against a double-precision loop: a wrong BLAS must not pass silently.
  const auto A = a.accessor<float, 2>(), B = b.accessor<float, 2>(), C = c.accessor<float, 2>();
  double worst = 0.0;
  for (int i = 0; i < n; i += std::max(1, n / 8)) {
    for (int j = 0; j < n; ++j) {
      double ref = 0.0, scale = 0.0;
      for (int k = 0; k < n; ++k) {
        ref += static_cast<double>(A[i][k]) * B[k][j];
        scale += std::abs(static_cast<double>(A[i][k]) * B[k][j]);
      }
      worst = std::max(worst, std::abs(ref - C[i][j]) / std::max(scale, 1e-30));
    }
  }
  if (!(worst < 1e-4))
    return core::makeError(core::ErrorCode::Internal,
                           "LibTorch matrix product is wrong (relative error " + std::to_string(worst) + ")");
  MatmulCheck check;
  check.size = n;
  check.gflops = 2.0 * n * n * static_cast<double>(n) / std::max(seconds[2], 1e-9) / 1e9;
  check.maxRelativeError = worst;
  core::logging::get(core::logging::Layer::Model)
      ->debug("matmul {}^3: {:.1f} GFLOP/s, max relative error {:.2e}", n, check.gflops, worst);
  return check;
}

double matmulGflops(int m, int k, int n, bool bf16, int runs) {
  initializeRuntime();
  const auto type = bf16 ? at::kBFloat16 : at::kFloat;
  const at::Tensor a = at::randn({m, k}).to(type), b = at::randn({k, n}).to(type);
  (void)at::mm(a, b);  // warm-up: first-call kernel selection
  std::vector<double> seconds;
  for (int run = 0; run < std::max(1, runs); ++run) {
    const auto t0 = std::chrono::steady_clock::now();
    (void)at::mm(a, b);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(seconds.begin(), seconds.begin() + seconds.size() / 2, seconds.end());
  return 2.0 * m * k * n / seconds[seconds.size() / 2] / 1e9;
}

double inferenceLinearGflops(int m, int k, int n, int runs, std::string* backend) {
  initializeRuntime();
  at::NoGradGuard noGrad;
  LinearCache cache;
  const at::Tensor a = at::randn({m, k}), w = at::randn({n, k}), bias = at::randn({n});
  at::Tensor out = at::empty({m, n});
  InferenceThreadsScope threads(cache);
  const auto call = [&] { inferenceLinear(cache, a, w, bias, out, LinearEpilogue::Bias); };
  call();  // warm-up: kernel creation and the weight's reorder
  std::vector<double> seconds;
  for (int run = 0; run < std::max(1, runs); ++run) {
    const auto t0 = std::chrono::steady_clock::now();
    call();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(seconds.begin(), seconds.begin() + seconds.size() / 2, seconds.end());
  if (backend != nullptr) *backend = inferenceBackendName(cache.backend());
  return 2.0 * m * k * n / seconds[seconds.size() / 2] / 1e9;
}

}  // namespace meridian::model
