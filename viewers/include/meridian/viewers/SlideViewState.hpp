#pragma once
// The slide viewer's state without a window: where the viewport looks in level-0 pixels,
// how large it draws them, which pyramid level and which tiles that needs, and what the
// magnification and the scale bar read. Tests drive it directly; SlideViewer only turns
// mouse, wheel and keys into these calls and the state into painted tiles.
// Plain C++: no Qt.
//
// Conventions
// - Level-0 pixels: x right, y down, pixel (i, j) covers [i, i+1) x [j, j+1).
// - zoom = screen pixels per level-0 pixel (1 = native resolution of level 0).
// - The level drawn is the one whose downsample is the largest that is <= 1/zoom (as in
//   QuPath and ASAP): tiles are never magnified unless even level 0 is too coarse.
// - Magnification follows the usual scanner convention, 10x ~ 1.0 um per pixel, 20x ~ 0.5,
//   40x ~ 0.25: magnification = 10 um / (microns per screen pixel), with microns per screen
//   pixel = mpp(level 0) / zoom. Unknown without the slide's mpp.

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/SlideSource.hpp"

namespace meridian::viewers {

/// Tiles [colBegin, colEnd) x [rowBegin, rowEnd) of one level's tile grid.
struct TileRange {
  int level = 0;
  int colBegin = 0, colEnd = 0;
  int rowBegin = 0, rowEnd = 0;
  bool empty() const { return colEnd <= colBegin || rowEnd <= rowBegin; }
  int count() const { return empty() ? 0 : (colEnd - colBegin) * (rowEnd - rowBegin); }
};

/// A rectangle in level-0 pixels.
struct SlideRect {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

/// The scale bar: `length` in `unit` ("µm", or "px" of level 0 when mpp is unknown),
/// drawn `screenPixels` long.
struct ScaleBarChoice {
  double length = 0;
  double screenPixels = 0;
  std::string label;
};

class SlideViewState {
 public:
  static constexpr double kMaxZoom = 8.0;         // 8 screen px per level-0 px: beyond that nothing new is seen
  static constexpr double kMinFitFraction = 0.5;  // may zoom out to half the fitted size

  /// Takes the pyramid (level 0 first), level-0 microns per pixel when known and the tile
  /// size of the grid the viewer requests, and fits the whole slide into the view.
  void reset(std::vector<core::SlideLevel> levels, std::optional<std::array<double, 2>> mpp, int tileSize = 256);
  bool hasSlide() const { return !levels_.empty(); }
  const std::vector<core::SlideLevel>& levels() const { return levels_; }
  const std::optional<std::array<double, 2>>& micronsPerPixel() const { return mpp_; }
  int tileSize() const { return tileSize_; }

  void setViewSize(int width, int height);
  int viewWidth() const { return viewWidth_; }
  int viewHeight() const { return viewHeight_; }

  /// Whole slide centred and fitted into the view.
  void fit();
  double fitZoom() const;
  double minZoom() const { return fitZoom() * kMinFitFraction; }
  double maxZoom() const { return std::max(kMaxZoom, fitZoom()); }

  double zoom() const { return zoom_; }
  /// Level-0 pixel at the view's centre.
  std::array<double, 2> centre() const { return centre_; }

  /// Sets zoom and centre, clamped (zoom to [minZoom, maxZoom], centre inside the slide).
  void setView(double zoom, double centreX, double centreY);
  /// Multiplies the zoom, keeping the slide point under view pixel (vx, vy) in place
  /// (as far as the clamps allow).
  void zoomAbout(double factor, double vx, double vy);
  /// Moves the slide with the pointer by (dx, dy) view pixels.
  void panBy(double dx, double dy);
  /// Centres the view on a level-0 point.
  void centreOn(double x, double y);

  /// Level-0 pixel -> view pixel and back.
  std::array<double, 2> slideToView(double x, double y) const;
  std::array<double, 2> viewToSlide(double vx, double vy) const;

  /// The slide area the view shows, clipped to the slide.
  SlideRect visibleRect() const;
  /// The level whose downsample is the largest <= 1/zoom (level 0 when zoomed past it).
  int fittingLevel() const;
  int coarsestLevel() const { return static_cast<int>(levels_.size()) - 1; }
  /// Tiles of `level` that cover the visible rect, grown by `ring` tiles on each side
  /// (clipped to the level's grid).
  TileRange visibleTiles(int level, int ring = 0) const;
  /// Every tile of `level`.
  TileRange allTiles(int level) const;
  /// Level-0 rectangle tile (col, row) of `level` covers (clipped to the slide).
  SlideRect tileRect(int level, int col, int row) const;

  /// "40×", "2.5×"; empty when the slide's mpp is unknown.
  std::string magnificationText() const;
  /// Microns per screen pixel at the current zoom (nullopt without mpp).
  std::optional<double> micronsPerScreenPixel() const;
  /// A round length (1-2-5 series) in µm (level-0 pixels without mpp) whose bar is the
  /// shortest one at least 100 screen pixels long (so 100 to 250 px).
  ScaleBarChoice scaleBar() const;

 private:
  void clamp();
  double slideWidth() const { return levels_.empty() ? 1.0 : static_cast<double>(levels_.front().width); }
  double slideHeight() const { return levels_.empty() ? 1.0 : static_cast<double>(levels_.front().height); }

  std::vector<core::SlideLevel> levels_;
  std::optional<std::array<double, 2>> mpp_;
  int tileSize_ = 256;
  int viewWidth_ = 1, viewHeight_ = 1;
  double zoom_ = 1.0;
  std::array<double, 2> centre_{0.0, 0.0};
};

/// 10 µm / (µm per screen pixel), formatted "40×" (>= 10: integer; below: one decimal).
std::string formatMagnification(double micronsPerScreenPixel);

}  // namespace meridian::viewers
