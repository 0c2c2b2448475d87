#pragma once
// The ModelService the library hands out: one VitModel (model/) at a time, used on the
// cases of a project. Library-private.

#include <memory>
#include <optional>

#include "CaseInput.hpp"
#include "meridian/model/AggregationAttentionPool.hpp"
#include "meridian/model/VitModel.hpp"
#include "meridian/service/ModelService.hpp"

namespace meridian::service {

class VitModelService final : public ModelService {
 public:
  RuntimeCapabilities capabilities() const override;
  core::Result<ModelCardView> loadModel(const std::filesystem::path& folder, const DeviceOptions& device) override;
  std::optional<ModelCardView> loadedModel() const override;
  core::Result<DeviceState> setDevice(const DeviceOptions& device) override;
  DeviceState deviceState() const override;
  core::Result<PredictReport> predict(project::ProjectStore& store, const PredictRequest& request,
                                      const core::JobControl& job, const PredictCallbacks& callbacks) override;
  core::Result<ExplainResult> explain(project::ProjectStore& store, const ExplainRequest& request,
                                      const core::JobControl& job) override;

 private:
  core::Status requireModel() const;
  core::Result<CasePrediction> predictCase(project::ProjectStore& store, const project::CaseRecord& record,
                                           project::ModelRunId runId, const PredictRequest& request,
                                           const core::JobControl& job, const PredictCallbacks& callbacks);

  RecentImageInput recent_;  // the last 2D image opened: explaining it right after predicting reads it once
  std::unique_ptr<model::VitModel> model_;
  std::unique_ptr<model::AttentionPool> aggregator_;  // the folder's aggregator.* head, when it has one
  std::optional<ModelCardView> card_;
  DeviceState device_;
};

/// The card as the panel shows it (effective tasks, metrics sorted, training paragraph).
ModelCardView makeCardView(const model::VitModel& vit, const std::filesystem::path& folder);

/// Moves `vit` to `options` and reports what runs; the model stays where it was on failure.
core::Result<DeviceState> placeModel(model::VitModel& vit, const DeviceOptions& options);

}  // namespace meridian::service
