#pragma once
// Where this process sits in a data-parallel training job, read from the variables
// torchrun sets (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE). Torch-free: the CLI reads
// it and hands it to the trainer, which opens the c10d process group.

#include <string>

#include "meridian/core/Result.hpp"

namespace meridian::model {

struct DistributedConfig {
  std::string masterAddress = "127.0.0.1";
  int masterPort = 29500;
  int rank = 0;
  int worldSize = 1;  // 1 = no process group, plain single-process training
  int timeoutSeconds = 120;

  bool enabled() const { return worldSize > 1; }
  bool isRankZero() const { return rank == 0; }
};

/// Reads the torchrun variables. None set: a single-process config. WORLD_SIZE > 1 needs
/// RANK and MASTER_PORT (MASTER_ADDR defaults to 127.0.0.1); inconsistent values are an error.
core::Result<DistributedConfig> distributedConfigFromEnvironment();

}  // namespace meridian::model
