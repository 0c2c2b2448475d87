#include "DistributedGroup.hpp"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>
#include <string>

namespace meridian::model::train {

struct DistributedGroup::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

DistributedGroup::~DistributedGroup() = default;

namespace {

std::shared_ptr<::gloo::transport::Device> glooDevice(const std::string& masterAddress) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"))
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  // All ranks on one machine (the usual workstation case, and the tests): loopback.
  if (masterAddress == "localhost" || masterAddress.rfind("127.", 0) == 0)
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

at::Tensor flatten(const std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor> flat;
  flat.reserve(tensors.size());
  for (const auto& t : tensors) flat.push_back(t.detach().reshape({-1}).to(at::kFloat));
  return at::cat(flat);
}

void unflatten(const at::Tensor& flat, const std::vector<at::Tensor>& tensors) {
  std::int64_t offset = 0;
  for (const auto& t : tensors) {
    const auto n = t.numel();
    t.detach().copy_(flat.slice(0, offset, offset + n).view(t.sizes()));
    offset += n;
  }
}

}  // namespace

core::Result<std::unique_ptr<DistributedGroup>> DistributedGroup::join(const DistributedConfig& config) {
  std::unique_ptr<DistributedGroup> result(new DistributedGroup());
  result->rank_ = config.rank;
  result->worldSize_ = config.worldSize;
  result->impl_ = std::make_unique<Impl>();
  try {
    c10d::TCPStoreOptions storeOptions;
    storeOptions.port = static_cast<std::uint16_t>(config.masterPort);
    storeOptions.isServer = config.rank == 0;
    storeOptions.numWorkers = static_cast<std::size_t>(config.worldSize);
    storeOptions.timeout = std::chrono::seconds(config.timeoutSeconds);
    result->impl_->store = c10::make_intrusive<c10d::TCPStore>(config.masterAddress, storeOptions);
    auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::seconds(config.timeoutSeconds));
    options->devices.push_back(glooDevice(config.masterAddress));
    options->threads = 2;
    result->impl_->group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(result->impl_->store, config.rank, config.worldSize, options);
  } catch (const std::exception& e) {
    return core::makeError(core::ErrorCode::Io, "cannot join the process group at " + config.masterAddress + ":" +
                                                    std::to_string(config.masterPort) + " as rank " +
                                                    std::to_string(config.rank) + ": " + e.what());
  }
  return result;
}

void DistributedGroup::broadcastFromRankZero(const std::vector<at::Tensor>& tensors) {
  if (tensors.empty()) return;
  std::vector<at::Tensor> flat{flatten(tensors)};
  impl_->group->broadcast(flat)->wait();
  unflatten(flat[0], tensors);
}

void DistributedGroup::allReduceSum(const std::vector<at::Tensor>& tensors) {
  if (tensors.empty()) return;
  std::vector<at::Tensor> flat{flatten(tensors)};
  impl_->group->allreduce(flat)->wait();
  unflatten(flat[0], tensors);
}

void DistributedGroup::averageGradients(const std::vector<at::Tensor>& parameters) {
  std::vector<at::Tensor> grads;
  for (const auto& p : parameters) {
    if (!p.grad().defined()) continue;
    grads.push_back(p.grad());
  }
  if (grads.empty()) return;
  std::vector<at::Tensor> flat{flatten(grads)};
  impl_->group->allreduce(flat)->wait();
  flat[0].div_(static_cast<double>(worldSize_));
  unflatten(flat[0], grads);
}

}  // namespace meridian::model::train
