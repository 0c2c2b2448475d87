#pragma once
// What the left mouse button does on a 2D image for each tool, without a window: the
// widget turns mouse events into press/move/release calls in image pixel coordinates, and
// this class measures (distance, angle, ROIs) and edits the label layer (add points,
// rectangles, polygons; move vertices and shapes; delete). Tests drive it directly.
// Plain C++: no Qt, no VTK.

#include <optional>
#include <string>
#include <vector>

#include "meridian/viewers/LabelLayer.hpp"
#include "meridian/viewers/Measurements.hpp"

namespace meridian::viewers {

enum class Tool2D {
  Navigate,        // left drag pans (the widget does it)
  Probe,           // the value under the cursor is written beside it
  Distance,        // drag from one end to the other
  Angle,           // drag the first arm (end to vertex), then click the second arm's end
  RectangleRoi,    // drag a corner to the opposite one
  EllipseRoi,      // drag the bounding rectangle
  LabelPoint,      // click
  LabelRectangle,  // drag
  LabelPolygon,    // click each vertex; double-click or Enter closes it, Escape drops it
  EditLabels       // drag a vertex or a shape; Delete removes the selected one
};

class ToolController2D {
 public:
  /// A shape being drawn (rubber band): the tool and its points so far (the last one
  /// follows the mouse).
  struct Draft {
    Tool2D tool = Tool2D::Navigate;
    std::vector<Point2> points;
  };

  explicit ToolController2D(LabelLayer& labels) : labels_(labels) {}

  Tool2D tool() const { return tool_; }
  /// Switching tools drops an unfinished draft.
  void setTool(Tool2D tool);
  /// Class given to new label shapes ("" = unclassified).
  void setLabelClass(std::string name) { labelClass_ = std::move(name); }
  const std::string& labelClass() const { return labelClass_; }

  // Mouse input in image pixel coordinates; `tolerance` is how far (image pixels) a grab
  // may miss a vertex. Each returns true when it changed something to redraw, false when
  // the event is not the tool's (the widget then pans, as with Navigate).
  bool press(Point2 p, double tolerance);
  bool move(Point2 p);
  bool release(Point2 p);
  bool doubleClick(Point2 p);
  /// Enter: closes the polygon being drawn.
  bool finish();
  /// Escape: drops the draft.
  bool cancel();
  /// Delete: removes the selected label shape, else the newest measurement.
  bool deleteSelected();

  const std::vector<Measurement>& measurements() const { return measurements_; }
  void clearMeasurements() { measurements_.clear(); }
  const std::optional<Draft>& draft() const { return draft_; }
  /// The last error an edit met (a polygon with too few vertices), for the status bar.
  const std::string& lastError() const { return lastError_; }

 private:
  bool commitDraft();
  static bool isDrag(Tool2D tool);

  LabelLayer& labels_;
  Tool2D tool_ = Tool2D::Navigate;
  std::string labelClass_;
  std::vector<Measurement> measurements_;
  std::optional<Draft> draft_;
  bool dragging_ = false;
  // EditLabels: what the press grabbed.
  std::optional<LabelLayer::Hit> grabbed_;
  Point2 lastPoint_{0, 0};
  std::string lastError_;
};

}  // namespace meridian::viewers
