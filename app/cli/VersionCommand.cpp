#include <iostream>

#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "meridian/model/Runtime.hpp"

namespace meridian::app {

int runVersion() {
  const auto runtime = model::initializeRuntime();
  std::cout << "Meridian " << MERIDIAN_VERSION << "\n"
            << "LibTorch " << runtime.torchVersion << ", " << runtime.intraOpThreads << " threads, CUDA "
            << (runtime.cudaAvailable ? "yes (" + std::to_string(runtime.cudaDeviceCount) + " devices)" : "no") << "\n"
            << "BLAS " << (runtime.blasLibrary.empty() ? "(none mapped)" : runtime.blasLibrary) << "\n";
  auto check = model::checkMatmul(512);
  if (!check) {
    std::cerr << "meridian-cli: " << check.error().message << "\n";
    return kExitFailure;
  }
  std::cout << "float32 matmul 512^3: " << check.value().gflops << " GFLOP/s (max relative error "
            << check.value().maxRelativeError << ")\n";
  return kExitOk;
}

}  // namespace meridian::app
