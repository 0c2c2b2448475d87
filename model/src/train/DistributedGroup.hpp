#pragma once
// A c10d process group for data-parallel training: Gloo over TCP on CPU, rendezvous
// through a TCPStore that rank 0 hosts at MASTER_ADDR:MASTER_PORT. The Debian LibTorch
// has no CUDA, so there is no NCCL path here; a CUDA build would add ProcessGroupNCCL
// behind the same three operations.

#include <ATen/ATen.h>

#include <memory>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/model/DistributedConfig.hpp"

namespace meridian::model::train {

class DistributedGroup {
 public:
  ~DistributedGroup();

  /// Joins the group (blocks until every rank has arrived or the timeout passes).
  static core::Result<std::unique_ptr<DistributedGroup>> join(const DistributedConfig& config);

  int rank() const { return rank_; }
  int worldSize() const { return worldSize_; }

  /// Copies rank 0's values into every rank's tensors (in place).
  void broadcastFromRankZero(const std::vector<at::Tensor>& tensors);
  /// Sums in place across ranks (one flattened all-reduce for all tensors).
  void allReduceSum(const std::vector<at::Tensor>& tensors);
  /// Replaces every gradient with its mean across ranks.
  void averageGradients(const std::vector<at::Tensor>& parameters);

 private:
  DistributedGroup() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int rank_ = 0;
  int worldSize_ = 1;
};

}  // namespace meridian::model::train
