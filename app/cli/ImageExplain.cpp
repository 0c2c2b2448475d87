#include "ImageExplain.hpp"

#include <cstdio>
#include <iostream>

#include "ExitCodes.hpp"
#include "OutputFiles.hpp"
#include "PredictionJson.hpp"
#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/model/AttentionMapGeometry.hpp"

namespace meridian::app {
namespace {

std::string joined(const std::vector<model::ModelTask>& tasks) {
  std::string text;
  for (const auto& task : tasks)
    for (const auto& label : task.labels) text += (text.empty() ? "" : ", ") + label;
  return text;
}

std::string describe(const ExplainRequest& r, const model::VitModel& vit) {
  switch (r.method) {
    case model::ExplainMethod::ClsAttention:
      return "CLS attention, " + (r.head < 0 ? std::string("mean of heads") : "head " + std::to_string(r.head));
    case model::ExplainMethod::Rollout:
      return "attention rollout";
    case model::ExplainMethod::GradientAttention: {
      const auto tasks = effectiveTasks(vit.card(), static_cast<std::size_t>(vit.config().numClasses));
      std::string label = "class " + std::to_string(r.targetClass);
      int index = 0;
      for (const auto& task : tasks)
        for (const auto& l : task.labels)
          if (index++ == r.targetClass) label = l;
      return "gradient-weighted attention for '" + label + "'";
    }
  }
  return "";
}

}  // namespace

bool isNiftiPath(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  auto endsWith = [&](const std::string& tail) {
    return name.size() >= tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
  };
  return endsWith(".nii") || endsWith(".nii.gz");
}

core::Result<ExplainRequest> explainRequest(const ExplainOptions& o, const model::VitModel& vit) {
  auto usage = [](const std::string& what) { return core::makeError(core::ErrorCode::InvalidArgument, what); };
  ExplainRequest r;
  const auto method = model::parseExplainMethod(o.method);
  if (!method) return usage("--method wants cls, rollout or gradcam, not '" + o.method + "'");
  r.method = *method;
  r.head = o.head;
  if (o.head >= 0) {
    if (r.method != model::ExplainMethod::ClsAttention)
      return usage("--head applies to --method cls (rollout and gradcam average the heads)");
    if (o.head >= vit.config().heads)
      return usage("--head " + std::to_string(o.head) + ": the model has " + std::to_string(vit.config().heads) +
                   " heads (0.." + std::to_string(vit.config().heads - 1) + ")");
  }
  if (!o.className.empty()) {
    if (r.method != model::ExplainMethod::GradientAttention)
      return usage("--class applies to --method gradcam (cls and rollout do not depend on a class)");
    const auto tasks = effectiveTasks(vit.card(), static_cast<std::size_t>(vit.config().numClasses));
    r.targetClass = outputIndexOf(tasks, o.className);
    if (r.targetClass < 0)
      return usage("--class '" + o.className + "' is not one of the model's labels: " + joined(tasks));
  }
  if (r.method == model::ExplainMethod::GradientAttention && vit.config().numClasses == 0)
    return usage("--method gradcam needs a classification head; this model has none (use cls or rollout)");
  return r;
}

int runImageExplain(const ExplainOptions& o, const ExplainRequest& r, const model::VitModel& vit,
                    const core::Image2D& image) {
  if (auto kind = vit.checkInputKind(image, image.modality); !kind)
    return fail(exitCodeFor(kind.error(), Judged::InputFile), o.input.string() + ": " + kind.error().message);
  auto explained = vit.explain(image, r.method, r.targetClass);
  if (!explained) return fail(exitCodeFor(explained.error()), o.input.string() + ": " + explained.error().message);
  const model::AttentionMap& map = explained.value();
  if (isNiftiPath(o.output)) {
    auto volume = model::toMapVolume(map, r.head);
    if (!volume) return fail(volume.error());
    if (auto status = io::writeVolume(volume.value(), o.output, outputPolicy(o.force, {o.input})); !status)
      return failOutput(status.error());
    std::cout << "wrote " << o.output.string() << " (" << describe({r.method, r.head, map.targetClass}, vit) << ", "
              << volume.value().size()[0] << "x" << volume.value().size()[1] << " float map on the " << image.width()
              << "x" << image.height() << " image)\n";
    return kExitOk;
  }
  auto heatmap = model::toHeatmap(map, r.head);
  if (!heatmap) return fail(heatmap.error());
  auto overlay = core::renderHeatmapOverlay(image, heatmap.value(), o.opacity, core::ColorMap::Jet);
  if (!overlay) return fail(overlay.error());
  if (auto status = io::writeImage(overlay.value(), o.output, outputPolicy(o.force, {o.input})); !status)
    return failOutput(status.error());
  std::cout << "wrote " << o.output.string() << " (" << describe({r.method, r.head, map.targetClass}, vit) << ", "
            << map.gridWidth << "x" << map.gridHeight << " patches)\n";
  return kExitOk;
}

}  // namespace meridian::app
