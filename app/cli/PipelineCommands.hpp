#pragma once
// infer / explain on whole volumes and slides (issue 4's pipelines): the 2D commands in
// ModelCommands.cpp hand an input over here first; a volume (or DICOM series) goes through
// the CT volume pipeline, a slide through the whole-slide pipeline, and anything else
// (a 2D image, a single slice, a colour frame stack) comes back as nullopt for the 2D path.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "meridian/core/AtomicFile.hpp"

#include "Commands.hpp"
#include "meridian/core/Image2D.hpp"
#include "meridian/core/SlideSource.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/model/Aggregation.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::app {

/// What INPUT holds for the pipelines: a volume worth running slice by slice, a slide, or
/// neither (monostate: the 2D path takes `image`). Opened once, through io::openInput (an
/// incomplete DICOM series is refused unless allowed). Errors name the input.
struct PipelineInput {
  std::variant<std::monostate, core::Volume, std::shared_ptr<core::SlideSource>> content;
  core::Image2D image;         // monostate: the image the 2D path runs on (modality set)
  nlohmann::json incomplete;   // non-null: an incomplete series, used because it was allowed
};
/// `modality`: the user's word for an input whose file carries none ("" = none given).
core::Result<PipelineInput> openPipelineInput(const std::filesystem::path& input, bool allowIncomplete,
                                              const std::string& modality);

/// nullopt when INPUT is a 2D image; otherwise the exit code of the pipeline run.
std::optional<int> runPipelineInfer(const InferOptions& options, const model::VitModel& model, double loadMs,
                                    const PipelineInput& input);
std::optional<int> runPipelineExplain(const ExplainOptions& options, const model::VitModel& model,
                                      const PipelineInput& input);

// Shared by the volume and slide commands (PipelineCommands.cpp). `incomplete`: see PipelineInput.
int runVolumeInfer(const InferOptions& o, const model::VitModel& vit, const core::Volume& volume, double loadMs,
                   const nlohmann::json& incomplete);
int runSlideInfer(const InferOptions& o, const model::VitModel& vit, const core::SlideSource& slide, double loadMs);
int runVolumeExplain(const ExplainOptions& o, const model::VitModel& vit, const core::Volume& volume,
                     const nlohmann::json& incomplete);
int runSlideExplain(const ExplainOptions& o, const model::VitModel& vit, const core::SlideSource& slide);

/// "model": {name, sha256} as infer --json writes it.
nlohmann::json modelJson(const model::VitModel& vit, const std::filesystem::path& modelDir);
/// Pooled scores with the card's labels: mean, max, top_k_mean, top_k, attention (or null
/// with attention_note saying why).
nlohmann::json aggregationJson(const model::VitModel& vit, const model::ScoreAggregation& a);
/// Writes JSON (2-space indent) atomically.
core::Status writeJsonFile(const std::filesystem::path& path, const nlohmann::json& json,
                           const core::OutputPolicy& policy = {});
/// The aggregator of the model folder, or an error when its aggregator.* tensors are broken.
core::Result<std::unique_ptr<model::AttentionPool>> loadAggregator(const std::filesystem::path& modelDir);

}  // namespace meridian::app
