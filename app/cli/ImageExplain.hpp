#pragma once
// `explain` on one 2D image (a photograph, a slice, a slide overview): the model's map as
// a PNG overlay or as a float map in the image's pixel grid (NIfTI, the map convention).
// The volume and slide commands (PipelineCommands.cpp) share the option checks.

#include "Commands.hpp"
#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/model/ExplainMethod.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::app {

/// The explanation explain's options ask for: method, head (-1 = mean) and head output.
struct ExplainRequest {
  model::ExplainMethod method = model::ExplainMethod::ClsAttention;
  int head = -1;
  int targetClass = -1;  // -1: top-1 (gradcam only)
};

/// Checks --method, --head and --class against each other and the model: --head needs
/// cls and one of the model's heads, --class needs gradcam and one of the card's labels
/// (the message lists them). Errors are usage errors (exit 2).
core::Result<ExplainRequest> explainRequest(const ExplainOptions& options, const model::VitModel& vit);

/// Explains `image` and writes options.output: .png / .tif / .bmp get the overlay (jet, at
/// options.opacity), .nii / .nii.gz the float map (1 channel, depth 1, spacing = image
/// pixels per patch, origin = centre of the first patch on the image). Prints what it
/// wrote; returns the exit code.
int runImageExplain(const ExplainOptions& options, const ExplainRequest& request, const model::VitModel& vit,
                    const core::Image2D& image);

/// True for the file names that get a float map rather than an overlay.
bool isNiftiPath(const std::filesystem::path& path);

}  // namespace meridian::app
