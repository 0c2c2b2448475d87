#include "meridian/viewers/SlideViewState.hpp"

#include <cmath>
#include <cstdio>

namespace meridian::viewers {

void SlideViewState::reset(std::vector<core::SlideLevel> levels, std::optional<std::array<double, 2>> mpp,
                           int tileSize) {
  levels_ = std::move(levels);
  mpp_ = (mpp && (*mpp)[0] > 0 && (*mpp)[1] > 0) ? mpp : std::nullopt;
  tileSize_ = std::max(16, tileSize);
  fit();
}

void SlideViewState::setViewSize(int width, int height) {
  viewWidth_ = std::max(1, width);
  viewHeight_ = std::max(1, height);
  clamp();
}

double SlideViewState::fitZoom() const {
  return std::min(viewWidth_ / slideWidth(), viewHeight_ / slideHeight());
}

void SlideViewState::fit() {
  zoom_ = fitZoom();
  centre_ = {slideWidth() / 2.0, slideHeight() / 2.0};
}

void SlideViewState::setView(double zoom, double centreX, double centreY) {
  if (std::isfinite(zoom) && zoom > 0) zoom_ = zoom;
  if (std::isfinite(centreX) && std::isfinite(centreY)) centre_ = {centreX, centreY};
  clamp();
}

void SlideViewState::zoomAbout(double factor, double vx, double vy) {
  if (!(factor > 0) || !std::isfinite(factor)) return;
  const auto anchor = viewToSlide(vx, vy);
  zoom_ = std::clamp(zoom_ * factor, minZoom(), maxZoom());
  // Put the anchor back under (vx, vy): centre = anchor - (v - viewCentre) / zoom.
  centre_ = {anchor[0] - (vx - viewWidth_ / 2.0) / zoom_, anchor[1] - (vy - viewHeight_ / 2.0) / zoom_};
  clamp();
}

void SlideViewState::panBy(double dx, double dy) {
  centre_[0] -= dx / zoom_;
  centre_[1] -= dy / zoom_;
  clamp();
}

void SlideViewState::centreOn(double x, double y) {
  setView(zoom_, x, y);
}

void SlideViewState::clamp() {
  zoom_ = std::clamp(zoom_, minZoom(), maxZoom());
  // The view centre stays on the slide, so some of the slide is always in view.
  centre_[0] = std::clamp(centre_[0], 0.0, slideWidth());
  centre_[1] = std::clamp(centre_[1], 0.0, slideHeight());
}

std::array<double, 2> SlideViewState::slideToView(double x, double y) const {
  return {(x - centre_[0]) * zoom_ + viewWidth_ / 2.0, (y - centre_[1]) * zoom_ + viewHeight_ / 2.0};
}

std::array<double, 2> SlideViewState::viewToSlide(double vx, double vy) const {
  return {(vx - viewWidth_ / 2.0) / zoom_ + centre_[0], (vy - viewHeight_ / 2.0) / zoom_ + centre_[1]};
}

SlideRect SlideViewState::visibleRect() const {
  const auto a = viewToSlide(0, 0);
  const auto b = viewToSlide(viewWidth_, viewHeight_);
  return {std::max(0.0, a[0]), std::max(0.0, a[1]), std::min(slideWidth(), b[0]), std::min(slideHeight(), b[1])};
}

int SlideViewState::fittingLevel() const {
  const double wanted = 1.0 / zoom_;
  int best = 0;
  for (int i = 0; i < static_cast<int>(levels_.size()); ++i) {
    const double ds = levels_[i].downsample;
    if (ds <= wanted * (1.0 + 1e-9) && ds > levels_[best].downsample) best = i;
  }
  return best;
}

TileRange SlideViewState::allTiles(int level) const {
  TileRange range{level, 0, 0, 0, 0};
  if (level < 0 || level >= static_cast<int>(levels_.size())) return range;
  range.colEnd = static_cast<int>((levels_[level].width + tileSize_ - 1) / tileSize_);
  range.rowEnd = static_cast<int>((levels_[level].height + tileSize_ - 1) / tileSize_);
  return range;
}

TileRange SlideViewState::visibleTiles(int level, int ring) const {
  TileRange grid = allTiles(level);
  if (grid.empty()) return grid;
  const SlideRect r = visibleRect();
  if (r.x1 <= r.x0 || r.y1 <= r.y0) return TileRange{level, 0, 0, 0, 0};
  const double span = levels_[level].downsample * tileSize_;  // level-0 pixels per tile
  TileRange range{level, static_cast<int>(std::floor(r.x0 / span)) - ring,
                  static_cast<int>(std::ceil(r.x1 / span)) + ring, static_cast<int>(std::floor(r.y0 / span)) - ring,
                  static_cast<int>(std::ceil(r.y1 / span)) + ring};
  range.colBegin = std::max(range.colBegin, 0);
  range.rowBegin = std::max(range.rowBegin, 0);
  range.colEnd = std::min(range.colEnd, grid.colEnd);
  range.rowEnd = std::min(range.rowEnd, grid.rowEnd);
  return range;
}

SlideRect SlideViewState::tileRect(int level, int col, int row) const {
  const auto& l = levels_.at(static_cast<std::size_t>(level));
  const double ds = l.downsample;
  const double x0 = static_cast<double>(col) * tileSize_, y0 = static_cast<double>(row) * tileSize_;
  const double x1 = std::min<double>(x0 + tileSize_, static_cast<double>(l.width));
  const double y1 = std::min<double>(y0 + tileSize_, static_cast<double>(l.height));
  return {x0 * ds, y0 * ds, std::min(x1 * ds, slideWidth()), std::min(y1 * ds, slideHeight())};
}

std::optional<double> SlideViewState::micronsPerScreenPixel() const {
  if (!mpp_) return std::nullopt;
  return ((*mpp_)[0] + (*mpp_)[1]) / 2.0 / zoom_;
}

std::string SlideViewState::magnificationText() const {
  const auto um = micronsPerScreenPixel();
  return um ? formatMagnification(*um) : std::string();
}

std::string formatMagnification(double micronsPerScreenPixel) {
  if (!(micronsPerScreenPixel > 0)) return {};
  const double m = 10.0 / micronsPerScreenPixel;
  char text[32];
  if (m >= 10)
    std::snprintf(text, sizeof text, "%.0f\u00d7", m);
  else
    std::snprintf(text, sizeof text, "%.2g\u00d7", m);
  return text;
}

ScaleBarChoice SlideViewState::scaleBar() const {
  constexpr double kMinScreenPixels = 100.0;
  const auto um = micronsPerScreenPixel();
  const double unitsPerScreenPixel = um ? *um : 1.0 / zoom_;  // µm, or level-0 pixels
  // Smallest 1-2-5 value whose bar is >= 100 px; consecutive values differ by at most
  // 2.5x, so the bar stays below 250 px.
  const double minimum = kMinScreenPixels * unitsPerScreenPixel;
  double decade = std::pow(10.0, std::floor(std::log10(minimum)));
  double length = decade;
  for (int guard = 0; guard < 8; ++guard) {
    bool found = false;
    for (double step : {1.0, 2.0, 5.0, 10.0}) {
      if (decade * step >= minimum * (1.0 - 1e-12)) {
        length = decade * step;
        found = true;
        break;
      }
    }
    if (found) break;
    decade *= 10.0;
  }
  ScaleBarChoice bar;
  bar.length = length;
  bar.screenPixels = length / unitsPerScreenPixel;
  char text[32];
  if (!um)
    std::snprintf(text, sizeof text, "%g px", length);
  else if (length >= 1000)
    std::snprintf(text, sizeof text, "%g mm", length / 1000.0);
  else
    std::snprintf(text, sizeof text, "%g \u00b5m", length);
  bar.label = text;
  return bar;
}

}  // namespace meridian::viewers
