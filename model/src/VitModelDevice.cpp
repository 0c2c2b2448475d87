// VitModel::setDevice: where forward passes run. Debian's LibTorch 1.13 is CPU-only, so
// on this project's CI only the refusals run; a CUDA LibTorch (README, "Building against
// a CUDA LibTorch") takes the GPU branch.

#include <ATen/Context.h>
#include <torch/version.h>

#include "VitModelImpl.hpp"
#include "meridian/core/Logging.hpp"

namespace meridian::model {

core::Status VitModel::setDevice(const std::string& name) {
  auto bad = [&](const std::string& why) {
    return core::makeError(core::ErrorCode::Unsupported, "device '" + name + "': " + why);
  };
  at::Device device{at::kCPU};
  try {
    device = at::Device(name);
  } catch (const std::exception&) {
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "device '" + name + "': not a device name (cpu, cuda or cuda:N)");
  }
  if (!device.is_cpu() && !device.is_cuda()) return bad("only cpu and cuda are supported");
  if (device.is_cuda()) {
    if (!at::hasCUDA())
      return bad("this LibTorch " TORCH_VERSION " has no CUDA (Debian's is CPU-only); build model/ against a CUDA "
                 "LibTorch to use a GPU");
    const int count = static_cast<int>(at::getNumGPUs());
    if (!device.has_index()) device = at::Device(at::kCUDA, 0);
    if (device.index() >= count) return bad("there are " + std::to_string(count) + " GPUs");
  }
  if (device == impl_->device) return core::Ok{};
  try {
    // The fp32 originals MatmulWeightCast keeps must move too: restore them, move the
    // module, then cast again for the precision in use.
    const Precision precision = impl_->precision;
    impl_->cast.restore(*impl_->net);
    impl_->net->to(device);
    impl_->device = device;
    if (precision == Precision::BFloat16) impl_->cast.apply(*impl_->net, at::kBFloat16);
  } catch (const std::exception& e) {  // e.g. the weights do not fit in the GPU's memory
    impl_->cast.restore(*impl_->net);
    impl_->net->to(at::kCPU);
    impl_->device = at::kCPU;
    impl_->precision = Precision::Float32;
    return bad(std::string("moving the model failed (back on the CPU, float32): ") + e.what());
  }
  core::logging::get(core::logging::Layer::Model)->info("ViT runs on {}", device.str());
  return core::Ok{};
}

std::string VitModel::device() const {
  return impl_->device.str();
}

}  // namespace meridian::model
