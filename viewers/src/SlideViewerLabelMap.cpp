// SlideViewer's label map: a segmentation at some downsample of the slide (class indices in
// level-0 pixel geometry), drawn tile by tile under the heatmap. Each tile is sampled once at
// its level's resolution, nearest neighbour, coloured (LabelLayer's class colours, 40%) and
// kept until the map changes; it is scaled onto the screen without smoothing, so class
// boundaries stay crisp at any zoom.

#include <QPainter>

#include <algorithm>
#include <cmath>
#include <limits>

#include "meridian/viewers/MprGeometry.hpp"
#include "meridian/viewers/SlideViewer.hpp"

namespace meridian::viewers {
namespace {
}  // namespace

core::Status SlideViewer::setLabelMap(core::Volume labels, std::vector<std::string> names) {
  auto refuse = [this](core::ErrorCode code, const std::string& message) {
    Q_EMIT statusMessage(QString::fromStdString(message));
    return core::Status(core::makeError(code, message));
  };
  if (!slide_ || slide_->levels().empty())
    return refuse(core::ErrorCode::InvalidArgument, "no slide is open to put a label map on");
  if (labels.channels() != 1)
    return refuse(core::ErrorCode::Unsupported,
                  "a label map has one channel of class indices; this one has " + std::to_string(labels.channels()));
  if (labels.size()[2] != 1)
    return refuse(core::ErrorCode::InvalidArgument, "a slide's label map is one plane; this one has " +
                                                        std::to_string(labels.size()[2]) + " (depth must be 1)");
  const auto& l0 = slide_->levels().front();
  if (l0.width > std::numeric_limits<int>::max() || l0.height > std::numeric_limits<int>::max())
    return refuse(core::ErrorCode::Unsupported, "the slide is too large for a label map");
  // Level 0 as a voxel grid: pixel (i, j)'s centre at (i, j), the label convention.
  VolumeGeometry level0;
  level0.size = {static_cast<int>(l0.width), static_cast<int>(l0.height), 1};
  if (auto set = labelMap_.set(std::move(labels), level0, std::move(names), "slide", "level-0 pixel", 1.0); !set)
    return refuse(set.error().code, set.error().message);
  labelTiles_.clear();
  update();
  return core::Ok{};
}

void SlideViewer::setLabelMapOpacity(double opacity) {
  labelMapOpacity_ = std::clamp(opacity, 0.0, 1.0);
  labelTiles_.clear();  // coloured with the old opacity
  update();
}

void SlideViewer::clearLabelMap() {
  labelMap_.clear();
  labelTiles_.clear();
  update();
}

void SlideViewer::paintTileOverlays(QPainter& painter, const TileRange& range) {
  if (labelMap_.hasLabels()) {
    painter.save();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);  // nearest: crisp class boundaries
    for (int r = range.rowBegin; r < range.rowEnd; ++r)
      for (int c = range.colBegin; c < range.colEnd; ++c) drawLabelMapTile(painter, {range.level, c, r});
    painter.restore();
  }
  if (heatmap_.hasMap() && heatmapVisible_)
    for (int r = range.rowBegin; r < range.rowEnd; ++r)
      for (int c = range.colBegin; c < range.colEnd; ++c) drawHeatmapTile(painter, {range.level, c, r});
}

void SlideViewer::drawLabelMapTile(QPainter& painter, const TileKey& key) {
  const SlideRect area = state_.tileRect(key.level, key.col, key.row);
  auto it = labelTiles_.find(key);
  if (it == labelTiles_.end()) {
    if (labelTiles_.size() >= overlayTileLimit()) labelTiles_.clear();
    const double ds = state_.levels()[key.level].downsample;
    const int w = std::max(1, static_cast<int>(std::lround((area.x1 - area.x0) / ds)));
    const int h = std::max(1, static_cast<int>(std::lround((area.y1 - area.y0) / ds)));
    // Output pixel (u, v) covers level-0 [x0 + u·su, x0 + (u + 1)·su) in SlideViewState's
    // edges; the label map puts pixel centres on integers, half a pixel lower.
    SamplingGrid grid;
    const double su = (area.x1 - area.x0) / w, sv = (area.y1 - area.y0) / h;
    grid.origin = {area.x0 + su / 2 - 0.5, area.y0 + sv / 2 - 0.5, 0.0};
    grid.stepU = {su, 0.0, 0.0};
    grid.stepV = {0.0, sv, 0.0};
    grid.width = w;
    grid.height = h;
    const std::vector<std::int32_t> indices = labelMap_.sampleGrid(grid);
    QImage image;  // stays null where the tile has no class: nothing to draw
    if (std::any_of(indices.begin(), indices.end(), [](std::int32_t i) { return i > 0; })) {
      const std::vector<std::uint8_t> rgba = labelMap_.colorize(indices, labelMapOpacity_);  // straight alpha
      image = QImage(w, h, QImage::Format_RGBA8888);
      for (int y = 0; y < h; ++y)
        std::copy_n(rgba.data() + static_cast<std::size_t>(y) * w * 4, static_cast<std::size_t>(w) * 4,
                    image.scanLine(y));
    }
    it = labelTiles_.emplace(key, std::move(image)).first;
  }
  if (!it->second.isNull()) painter.drawImage(screenRect(area), it->second);
}

}  // namespace meridian::viewers
