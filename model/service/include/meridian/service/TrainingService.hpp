#pragma once
// The training entries of the model service (ProjectTraining.hpp's functions behind the
// service library's table): what the window's Training panel and `meridian-cli project
// train | accept-model` call. Created by createTrainingService() (ModelServiceLoader.hpp),
// which opens libmeridian_model_service.so on first use. Stateless: any thread may call it;
// train() runs on the caller's thread (submit it as a core::JobRunner job).

#include <filesystem>
#include <memory>

#include "meridian/service/ProjectTraining.hpp"

namespace meridian::service {

class TrainingService {
 public:
  virtual ~TrainingService() = default;
  /// trainingTask(): the project's labels as a training list.
  virtual core::Result<TrainingTask> task(const project::ProjectStore& store) const = 0;
  /// previewSplit(): the split trainFromProject will make, or why it is refused.
  virtual core::Result<SplitPreview> preview(const TrainingTask& task, double heldOutFraction,
                                             std::uint64_t seed) const = 0;
  /// trainFromProject(): a new model folder under the project's models folder.
  virtual core::Result<TrainingResult> train(project::ProjectStore& store, const TrainingRequest& request,
                                             const model::EpochCallback& onEpoch, const core::JobControl& job) const = 0;
  /// acceptModel(): the folder (verified) becomes the project's active model, logged.
  virtual core::Result<project::AcceptedModel> accept(project::ProjectStore& store,
                                                      const std::filesystem::path& modelFolder) const = 0;
};

}  // namespace meridian::service
