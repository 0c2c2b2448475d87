#include "meridian/viewers/ToolController2D.hpp"

#include <cmath>

namespace meridian::viewers {

namespace {

// A shape the user just drew: no id yet (LabelLayer::add makes one), no name, no volume plane.
core::Annotation newShape(core::AnnotationShape shape, std::vector<Point2> points, const std::string& className) {
  core::Annotation a;
  a.shape = shape;
  a.points = std::move(points);
  a.className = className;
  return a;
}

}  // namespace


bool ToolController2D::isDrag(Tool2D tool) {
  return tool == Tool2D::Distance || tool == Tool2D::RectangleRoi || tool == Tool2D::EllipseRoi ||
         tool == Tool2D::LabelRectangle;
}

void ToolController2D::setTool(Tool2D tool) {
  tool_ = tool;
  draft_.reset();
  dragging_ = false;
  grabbed_.reset();
}

bool ToolController2D::press(Point2 p, double tolerance) {
  lastError_.clear();
  if (isDrag(tool_)) {
    draft_ = Draft{tool_, {p, p}};
    dragging_ = true;
    return true;
  }
  switch (tool_) {
    case Tool2D::Angle:
      if (draft_ && draft_->points.size() == 3) {  // second arm placed: done
        draft_->points[2] = p;
        return commitDraft();
      }
      draft_ = Draft{tool_, {p, p}};
      dragging_ = true;
      return true;
    case Tool2D::LabelPoint: {
      auto added = labels_.add(newShape(core::AnnotationShape::Point, {p}, labelClass_));
      if (added) labels_.select(added.value());
      return added.ok();
    }
    case Tool2D::LabelPolygon:
      if (!draft_) {
        draft_ = Draft{tool_, {p, p}};
      } else {
        draft_->points.back() = p;    // fix the rubber-band vertex here
        draft_->points.push_back(p);  // and start the next one
      }
      return true;
    case Tool2D::EditLabels:
      grabbed_ = labels_.hitTest(p, tolerance);
      labels_.select(grabbed_ ? grabbed_->id : std::string());
      lastPoint_ = p;
      return true;
    default:
      return false;
  }
}

bool ToolController2D::move(Point2 p) {
  if (tool_ == Tool2D::EditLabels) {
    if (!grabbed_) return false;
    const bool changed = grabbed_->handle >= 0
                             ? labels_.moveHandle(grabbed_->id, grabbed_->handle, p)
                             : labels_.translate(grabbed_->id, p[0] - lastPoint_[0], p[1] - lastPoint_[1]);
    lastPoint_ = p;
    return changed;
  }
  if (!draft_) return false;
  // Drag tools follow only while the button is down; angle and polygon rubber bands follow
  // the hovering mouse too.
  if (isDrag(tool_) && !dragging_) return false;
  draft_->points.back() = p;
  return true;
}

bool ToolController2D::release(Point2 p) {
  if (tool_ == Tool2D::EditLabels) {
    const bool had = grabbed_.has_value();
    grabbed_.reset();
    return had;
  }
  if (!draft_ || !dragging_) return false;
  dragging_ = false;
  draft_->points.back() = p;
  if (tool_ == Tool2D::Angle) {
    if (draft_->points[0] == draft_->points[1]) {  // a click, not a drag: no first arm yet
      draft_.reset();
      return true;
    }
    draft_->points.push_back(p);  // the second arm starts at the vertex and follows the mouse
    return true;
  }
  return commitDraft();
}

bool ToolController2D::doubleClick(Point2 p) {
  if (tool_ != Tool2D::LabelPolygon || !draft_) return false;
  draft_->points.back() = p;
  return finish();
}

bool ToolController2D::finish() {
  if (tool_ != Tool2D::LabelPolygon || !draft_) return false;
  draft_->points.pop_back();  // the rubber-band vertex
  // A double-click's first click already fixed the vertex it lands on.
  while (draft_->points.size() > 1 && draft_->points.back() == draft_->points[draft_->points.size() - 2])
    draft_->points.pop_back();
  return commitDraft();
}

bool ToolController2D::cancel() {
  const bool had = draft_.has_value();
  draft_.reset();
  dragging_ = false;
  return had;
}

bool ToolController2D::deleteSelected() {
  if (!labels_.selected().empty()) return labels_.remove(labels_.selected());
  if (measurements_.empty()) return false;
  measurements_.pop_back();
  return true;
}

bool ToolController2D::commitDraft() {
  Draft d = std::move(*draft_);
  draft_.reset();
  const auto degenerate = [&] { return d.points.size() == 2 && d.points[0] == d.points[1]; };
  switch (d.tool) {
    case Tool2D::Distance:
      if (!degenerate()) measurements_.push_back({Measurement::Kind::Distance, d.points});
      return true;
    case Tool2D::Angle:
      measurements_.push_back({Measurement::Kind::Angle, d.points});
      return true;
    case Tool2D::RectangleRoi:
    case Tool2D::EllipseRoi:
      if (!degenerate())
        measurements_.push_back(
            {d.tool == Tool2D::EllipseRoi ? Measurement::Kind::EllipseRoi : Measurement::Kind::RectangleRoi, d.points});
      return true;
    case Tool2D::LabelRectangle:
    case Tool2D::LabelPolygon: {
      if (d.tool == Tool2D::LabelRectangle && degenerate()) return true;
      const auto shape =
          d.tool == Tool2D::LabelRectangle ? core::AnnotationShape::Rectangle : core::AnnotationShape::Polygon;
      auto added = labels_.add(newShape(shape, d.points, labelClass_));
      if (!added) {
        lastError_ = added.error().message;
        return true;
      }
      labels_.select(added.value());
      return true;
    }
    default:
      return false;
  }
}

}  // namespace meridian::viewers
