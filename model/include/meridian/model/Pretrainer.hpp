#pragma once
// Continued self-supervised pretraining of a ViT backbone with DINO, behind a torch-free
// interface (pimpl): the CLI and the GUI drive it without compiling LibTorch.
//
//   auto trainer = DinoPretrainer::create(*backbone, options, images);
//   auto summary = trainer.value()->run(job, "out/checkpoint.safetensors", "out/loss.csv");
//   trainer.value()->exportBackbone("out/model", card);
//
// A checkpoint holds student, teacher, projection heads, optimiser state, centre, memory
// bank, rehearsal buffer, schedule step and RNG state; `resume` continues a run exactly
// (same loss curve and weights as a run that was never stopped).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/model/DinoOptions.hpp"
#include "meridian/model/DistributedConfig.hpp"
#include "meridian/model/ModelCard.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::model {

struct PretrainSummary {
  std::int64_t steps = 0;       // optimiser steps done in total (all runs of this checkpoint)
  std::int64_t totalSteps = 0;  // steps the schedule plans
  double lastLoss = 0.0;
  bool finished = false;  // the schedule ran to its end
  // How the run ended: Ok, or ErrorCode::Cancelled when cancelled (the checkpoint holds
  // the steps done). The one cancelled result, as for every job (core/JobControl.hpp).
  core::Status ended = core::Ok{};
  bool cancelled() const { return core::isCancelled(ended); }
  bool diverged = false;             // a non-finite loss stopped the run
  std::string message;               // what happened, for the user
  std::filesystem::path checkpoint;  // the last good checkpoint ("" = none written)
};

class DinoPretrainer {
 public:
  ~DinoPretrainer();
  DinoPretrainer(const DinoPretrainer&) = delete;
  DinoPretrainer& operator=(const DinoPretrainer&) = delete;

  /// Starts from `backbone`'s weights (its head, if any, is dropped). `images` are the
  /// unlabelled training images; colour images get photo augmentation, grayscale ones
  /// intensity jitter. With `distributed.enabled()` this joins the process group.
  static core::Result<std::unique_ptr<DinoPretrainer>> create(const VitModel& backbone, const DinoOptions& options,
                                                              const std::vector<core::Image2D>& images,
                                                              const DistributedConfig& distributed = {});

  /// Continues from a checkpoint. With the same data (options.dataSha256 equal to the
  /// checkpoint's) the run resumes exactly where it stopped; `options` only change the
  /// stop point. With other data it is continual pretraining: weights, centre, memory
  /// bank and rehearsal buffer carry over, the schedule and optimiser start afresh.
  static core::Result<std::unique_ptr<DinoPretrainer>> resume(const std::filesystem::path& checkpoint,
                                                              const DinoOptions& options,
                                                              const std::vector<core::Image2D>& images,
                                                              const DistributedConfig& distributed = {});

  /// Trains until the schedule ends, options.stopAfterSteps, a cancel or a non-finite loss,
  /// on threads() intra-op threads (the process's setting is put back when it returns).
  /// Writes the checkpoint (atomically: a failed write leaves the previous one) and
  /// appends "step,epoch,loss,dino_loss,memory_loss,lr,momentum,teacher_temp" rows to
  /// `lossCsv` (either path may be empty). Only rank 0 writes files.
  core::Result<PretrainSummary> run(const core::JobControl& job, const std::filesystem::path& checkpoint,
                                    const std::filesystem::path& lossCsv);

  /// Writes the teacher backbone (the better one in DINO) as a model folder with `card`.
  core::Status exportBackbone(const std::filesystem::path& directory, const ModelCard& card) const;
  /// The teacher backbone as an in-memory model.
  core::Result<std::unique_ptr<VitModel>> teacherBackbone() const;

  /// SHA-256 over every student and teacher parameter (bitwise): replicas compare it.
  std::string weightsSha256() const;
  const DinoOptions& options() const;
  std::int64_t step() const;
  /// The intra-op threads run() computes on (how it computes, not what it learns: no part of
  /// the options or the checkpoint): -1 (the default) = chosen here, 0 = one per core, N.
  void setThreads(int threads);
  /// What run() will use: the count setThreads gave when >= 0 (0 = one per core); else 1
  /// where each view has few tokens (<= 64 patches, a ViT/16 at <= 128 px), else the process's
  /// setting (Runtime.hpp: one per core in the CLI, one core fewer in the window).
  /// With small matrices every operator's OpenMP barrier costs more than the second thread
  /// gains, and on a loaded machine a barrier waits for a preempted thread (issue 19: ViT-T/16
  /// at 48 px, 12 steps in 3.6-6.4 s on one thread vs 23-32 s on two, load average 6-8 on 2
  /// cores; 89% of samples spinning in libgomp). Here, not in a caller, so the CLI, the
  /// window's project training and the evaluation suite all run the same way.
  int threads() const;

 private:
  struct Impl;
  explicit DinoPretrainer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::model
