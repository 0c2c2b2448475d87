#pragma once
// Everything a DINO run holds (private to model/src): the student and EMA teacher
// (backbone + projection head each), the optimiser, the loss with its centre, the memory
// bank, the rehearsal buffer, the training images and the schedule position. The step,
// the checkpoint and the public DinoPretrainer all work on this one struct.

#include <torch/optim/adamw.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../Vit.hpp"
#include "../train/DistributedGroup.hpp"
#include "../train/ParameterGroups.hpp"
#include "DinoHead.hpp"
#include "DinoLoss.hpp"
#include "MemoryBank.hpp"
#include "MultiCropAugmenter.hpp"
#include "RehearsalBuffer.hpp"
#include "ViewPrefetcher.hpp"
#include "meridian/core/Image2D.hpp"
#include "meridian/model/DinoOptions.hpp"
#include "meridian/model/PreprocessConfig.hpp"
#include "meridian/model/VitConfig.hpp"

namespace meridian::model::ssl {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

struct DinoState {
  VitConfig vit;  // backbone only (numClasses 0)
  PreprocessConfig preprocess;
  DinoOptions options;

  Vit student{nullptr}, teacher{nullptr};
  DinoHead studentHead{nullptr}, teacherHead{nullptr};
  NamedTensors studentParameters;  // "backbone.<timm name>", "head.<name>", fixed order
  NamedTensors teacherParameters;  // same names and order

  train::ParameterGroups groups;
  std::vector<bool> groupDecays;  // whether the group takes (scheduled) weight decay
  std::unique_ptr<torch::optim::AdamW> optimizer;

  std::unique_ptr<DinoLoss> loss;
  std::unique_ptr<MemoryBank> memory;          // null without --memory
  std::unique_ptr<RehearsalBuffer> rehearsal;  // null without --rehearsal
  std::unique_ptr<MultiCropAugmenter> augmenter;

  int workingSize = 0;             // side images are stored at (uint8 [3, S, S])
  std::vector<at::Tensor> images;  // the training set
  std::vector<bool> colour;        // per image: photo augmentation (true) or intensity jitter

  std::int64_t step = 0;  // optimiser steps done
  std::int64_t stepsPerEpoch = 1;
  std::int64_t totalSteps = 1;

  DistributedConfig distributed;
  std::unique_ptr<train::DistributedGroup> group;  // null when single-process

  // Last member, so it is destroyed first: its worker reads `images` and `augmenter`.
  std::unique_ptr<ViewPrefetcher> prefetcher;  // made on the first step
};

/// Builds a fresh state: student and teacher from `backboneWeights` (timm names, no head),
/// new projection heads (the teacher a copy of the student), optimiser, loss, memory,
/// rehearsal, and the images converted to the working size. Options that do not fit the
/// backbone, and images the preprocessing refuses, are errors naming the problem.
core::Result<std::unique_ptr<DinoState>> buildDinoState(const VitConfig& backbone, const PreprocessConfig& preprocess,
                                                        const std::map<std::string, at::Tensor>& backboneWeights,
                                                        const DinoOptions& options,
                                                        const std::vector<core::Image2D>& images);

/// (Re)creates the optimiser over the student's parameters (fresh moments).
void rebuildOptimizer(DinoState& state);

/// SHA-256 over the bytes of every student and teacher parameter.
std::string parametersSha256(const DinoState& state);

}  // namespace meridian::model::ssl
