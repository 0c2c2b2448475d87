#include "meridian/viewers/MprPlaneTools.hpp"

#include <cmath>
#include <utility>

namespace meridian::viewers {

bool MprPlaneTools::supports(Tool2D tool) {
  switch (tool) {
    case Tool2D::Navigate:
    case Tool2D::Probe:
    case Tool2D::Distance:
    case Tool2D::Angle:
    case Tool2D::RectangleRoi:
    case Tool2D::EllipseRoi:
    case Tool2D::LabelPoint:
    case Tool2D::LabelRectangle:
    case Tool2D::LabelPolygon:
    case Tool2D::EditLabels:
      return true;
  }
  return false;
}

void MprPlaneTools::setTool(Tool2D tool) {
  if (!supports(tool)) return;
  tool_ = tool;
  for (auto& [slice, s] : bySlice_) s->tools.setTool(tool);
}

MprPlaneTools::SliceTools& MprPlaneTools::slot(int slice) {
  auto& s = bySlice_[slice];
  if (!s) {
    s = std::make_unique<SliceTools>();
    s->labels.setAnnotations({{}, classes_});
    s->tools.setTool(tool_);
    s->tools.setLabelClass(labelClass_);
  }
  return *s;
}

ToolController2D& MprPlaneTools::at(int slice) {
  if (slice != active_) {
    if (auto it = bySlice_.find(active_); it != bySlice_.end()) it->second->tools.cancel();
    active_ = slice;
  }
  return slot(slice).tools;
}

const ToolController2D* MprPlaneTools::find(int slice) const {
  const auto it = bySlice_.find(slice);
  return it == bySlice_.end() ? nullptr : &it->second->tools;
}

ToolController2D* MprPlaneTools::find(int slice) {
  const auto it = bySlice_.find(slice);
  return it == bySlice_.end() ? nullptr : &it->second->tools;
}

void MprPlaneTools::cancelDraft() {
  if (auto it = bySlice_.find(active_); it != bySlice_.end()) it->second->tools.cancel();
}

std::vector<Measurement> MprPlaneTools::measurementsOn(int slice) const {
  const ToolController2D* tools = find(slice);
  return tools ? tools->measurements() : std::vector<Measurement>{};
}

std::size_t MprPlaneTools::count() const {
  std::size_t n = 0;
  for (const auto& [slice, s] : bySlice_) n += s->tools.measurements().size();
  return n;
}

void MprPlaneTools::clear() {
  for (auto& [slice, s] : bySlice_) {
    s->tools.cancel();
    s->tools.clearMeasurements();
  }
}

void MprPlaneTools::setLabelClass(std::string name) {
  labelClass_ = std::move(name);
  for (auto& [slice, s] : bySlice_) s->tools.setLabelClass(labelClass_);
}

void MprPlaneTools::setClasses(std::vector<core::AnnotationClass> classes) {
  classes_ = std::move(classes);
  for (auto& [slice, s] : bySlice_)
    for (const auto& c : classes_) s->labels.setClassColor(c.name, c.color);
}

const LabelLayer* MprPlaneTools::labelsOn(int slice) const {
  const auto it = bySlice_.find(slice);
  return it == bySlice_.end() ? nullptr : &it->second->labels;
}

core::Result<std::string> MprPlaneTools::addLabel(int slice, core::Annotation annotation) {
  return slot(slice).labels.add(std::move(annotation));
}

std::vector<core::Annotation> MprPlaneTools::labels() const {
  std::vector<core::Annotation> out;
  for (const auto& [slice, s] : bySlice_)
    for (core::Annotation a : s->labels.annotations().annotations) {
      a.slice = slice;
      out.push_back(std::move(a));
    }
  return out;
}

std::size_t MprPlaneTools::labelCount() const {
  std::size_t n = 0;
  for (const auto& [slice, s] : bySlice_) n += s->labels.annotations().annotations.size();
  return n;
}

void MprPlaneTools::clearLabels() {
  for (auto& [slice, s] : bySlice_) {
    s->tools.cancel();
    s->labels.setAnnotations({{}, classes_});
  }
}

core::Result<RoiStatistics> planeRoiStatistics(const Measurement& m, const core::Image2D& plane,
                                               const ValueRescale& rescale) {
  if (m.kind != Measurement::Kind::RectangleRoi && m.kind != Measurement::Kind::EllipseRoi)
    return core::makeError(core::ErrorCode::InvalidArgument, "not a region of interest");
  if (m.points.size() != 2) return core::makeError(core::ErrorCode::InvalidArgument, "needs two corners");
  const auto shape = m.kind == Measurement::Kind::EllipseRoi ? RoiShape::Ellipse : RoiShape::Rectangle;
  auto stats = measureRoi(plane, shape, m.points[0], m.points[1]);
  if (!stats) return stats.error();
  // The statistics of an affine map of the values are that map of the statistics (a
  // negative slope swaps min and max).
  RoiStatistics s = stats.value();
  const double a = rescale.slope, b = rescale.intercept;
  s.mean = s.mean * a + b;
  s.sd *= std::abs(a);
  s.min = s.min * a + b;
  s.max = s.max * a + b;
  if (a < 0) std::swap(s.min, s.max);
  return s;
}

std::string planeMeasurementText(const Measurement& m, const core::Image2D& plane, const ValueRescale& rescale) {
  if (m.kind != Measurement::Kind::RectangleRoi && m.kind != Measurement::Kind::EllipseRoi)
    return measurementText(m, plane, rescale.unit);  // lengths and angles need only the spacing
  auto stats = planeRoiStatistics(m, plane, rescale);
  return stats ? describe(stats.value(), rescale.unit) : stats.error().message;
}

}  // namespace meridian::viewers
