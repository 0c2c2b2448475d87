#include "meridian/model/AttentionMapGeometry.hpp"

#include <string>

namespace meridian::model {

const char* toString(ExplainMethod method) {
  switch (method) {
    case ExplainMethod::ClsAttention:
      return "cls";
    case ExplainMethod::Rollout:
      return "rollout";
    case ExplainMethod::GradientAttention:
      return "gradcam";
  }
  return "cls";
}

std::optional<ExplainMethod> parseExplainMethod(const std::string& text) {
  for (auto m : {ExplainMethod::ClsAttention, ExplainMethod::Rollout, ExplainMethod::GradientAttention})
    if (text == toString(m)) return m;
  return std::nullopt;
}

core::Result<core::Heatmap> toHeatmap(const AttentionMap& map, int head) {
  const std::size_t cells = static_cast<std::size_t>(map.gridWidth) * map.gridHeight;
  if (cells == 0 || map.mean.size() != cells || map.patchSize < 1 || !(map.letterbox.scaleX > 0) ||
      !(map.letterbox.scaleY > 0))
    return core::makeError(core::ErrorCode::InvalidArgument, "attention map: empty or inconsistent grid");
  if (head >= 0 && (head >= map.heads || map.perHead.size() != cells * static_cast<std::size_t>(map.heads)))
    return core::makeError(
        core::ErrorCode::InvalidArgument,
        "attention head " + std::to_string(head) + ": the " + toString(map.method) + " map has " +
            (map.heads > 0 ? std::to_string(map.heads) + " heads (0.." + std::to_string(map.heads - 1) + ")"
                           : std::string("no per-head maps (only cls has them)")));
  core::Heatmap h;
  h.width = map.gridWidth;
  h.height = map.gridHeight;
  h.values = head < 0 ? map.mean
                      : std::vector<float>(map.perHead.begin() + static_cast<std::ptrdiff_t>(cells * head),
                                           map.perHead.begin() + static_cast<std::ptrdiff_t>(cells * (head + 1)));
  // Cell (0, 0) starts at input pixel 0, which is original pixel -offset / scale.
  h.cellWidth = map.patchSize / map.letterbox.scaleX;
  h.cellHeight = map.patchSize / map.letterbox.scaleY;
  h.originX = map.letterbox.toOriginalX(0.0);
  h.originY = map.letterbox.toOriginalY(0.0);
  return h;
}

core::Result<core::Volume> toMapVolume(const AttentionMap& map, int head) {
  auto heatmap = toHeatmap(map, head);
  if (!heatmap) return heatmap.error();
  return core::heatmapToMapVolume(heatmap.value(), map.letterbox.originalWidth, map.letterbox.originalHeight);
}

}  // namespace meridian::model
