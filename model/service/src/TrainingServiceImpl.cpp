// TrainingService over ProjectTraining.hpp's functions, made by the library's table.

#include "TrainingServiceImpl.hpp"

#include "meridian/model/Runtime.hpp"

namespace meridian::service {
namespace {

class ProjectTrainingService final : public TrainingService {
 public:
  core::Result<TrainingTask> task(const project::ProjectStore& store) const override { return trainingTask(store); }
  core::Result<SplitPreview> preview(const TrainingTask& task, double heldOutFraction,
                                     std::uint64_t seed) const override {
    return previewSplit(task, heldOutFraction, seed);
  }
  core::Result<TrainingResult> train(project::ProjectStore& store, const TrainingRequest& request,
                                     const model::EpochCallback& onEpoch, const core::JobControl& job) const override {
    model::applyIntraOpThreads();  // this job thread's LibTorch threads: the window leaves its UI a core
    return trainFromProject(store, request, onEpoch, job);
  }
  core::Result<project::AcceptedModel> accept(project::ProjectStore& store,
                                              const std::filesystem::path& modelFolder) const override {
    return acceptModel(store, modelFolder);
  }
};

}  // namespace

std::unique_ptr<TrainingService> makeTrainingService() { return std::make_unique<ProjectTrainingService>(); }

}  // namespace meridian::service
