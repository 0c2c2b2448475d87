#pragma once
// The status bar's readout (pixel under the mouse, the volume's crosshair in LPS, voxel and
// W/L): each viewer reports its own, and only the viewer on screen is shown -- switching
// from a volume to a slide must not leave the volume's LPS readout behind, and switching
// back shows the volume's last one again. Plain C++; the status bar only displays text().

#include <array>
#include <string>

#include "meridian/viewers/ViewerKind.hpp"

namespace meridian::ui {

class StatusReadout {
 public:
  /// A viewer's new readout (shown at once when that viewer is on screen).
  void update(viewers::ViewerKind from, std::string text);
  /// The viewer on screen changed.
  void setCurrent(viewers::ViewerKind current) { current_ = current; }
  /// Its content was replaced or closed: its readout no longer describes anything.
  void forget(viewers::ViewerKind kind) { texts_[index(kind)].clear(); }
  viewers::ViewerKind current() const { return current_; }
  /// What the status bar shows: the readout of the viewer on screen ("" when none yet).
  const std::string& text() const { return texts_[index(current_)]; }

 private:
  static std::size_t index(viewers::ViewerKind kind) { return static_cast<std::size_t>(kind); }
  viewers::ViewerKind current_ = viewers::ViewerKind::Image2D;
  std::array<std::string, 3> texts_;
};

}  // namespace meridian::ui
