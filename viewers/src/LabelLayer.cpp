#include "meridian/viewers/LabelLayer.hpp"

#include <algorithm>
#include <cmath>

namespace meridian::viewers {
namespace {

// Distinct, saturated colours that read on grey images and on H&E alike.
constexpr std::array<Rgb, 10> kPalette = {{{230, 25, 75},
                                           {60, 180, 75},
                                           {255, 225, 25},
                                           {0, 130, 200},
                                           {245, 130, 48},
                                           {145, 30, 180},
                                           {70, 240, 240},
                                           {240, 50, 230},
                                           {210, 245, 60},
                                           {250, 190, 212}}};

double distanceToSegment(Point2 p, Point2 a, Point2 b) {
  const double dx = b[0] - a[0], dy = b[1] - a[1];
  const double length2 = dx * dx + dy * dy;
  const double t = length2 > 0 ? std::clamp(((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2, 0.0, 1.0) : 0.0;
  return std::hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

bool insidePolygon(Point2 p, const std::vector<Point2>& vertices) {
  bool inside = false;  // even-odd rule
  for (std::size_t i = 0, j = vertices.size() - 1; i < vertices.size(); j = i++) {
    const auto& a = vertices[i];
    const auto& b = vertices[j];
    if ((a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside;
}

std::size_t requiredPoints(core::AnnotationShape shape) {
  switch (shape) {
    case core::AnnotationShape::Point:
      return 1;
    case core::AnnotationShape::Rectangle:
      return 2;
    case core::AnnotationShape::Polygon:
      return 3;
  }
  return 1;
}

}  // namespace

void LabelLayer::setAnnotations(core::AnnotationSet set) {
  set_ = std::move(set);
  selected_.clear();
}

const core::Annotation* LabelLayer::find(const std::string& id) const {
  for (const auto& a : set_.annotations)
    if (a.id == id) return &a;
  return nullptr;
}

core::Annotation* LabelLayer::findMutable(const std::string& id) {
  return const_cast<core::Annotation*>(static_cast<const LabelLayer*>(this)->find(id));
}

std::size_t LabelLayer::dropVolumeShapes(core::AnnotationSet& set) {
  auto& shapes = set.annotations;
  const auto before = shapes.size();
  shapes.erase(std::remove_if(shapes.begin(), shapes.end(), [](const core::Annotation& a) { return !a.plane.empty(); }),
               shapes.end());
  return before - shapes.size();
}

core::Result<std::string> LabelLayer::add(core::Annotation annotation) {
  const std::size_t need = requiredPoints(annotation.shape);
  const bool countOk = annotation.shape == core::AnnotationShape::Rectangle ? annotation.points.size() == 2
                                                                            : annotation.points.size() >= need;
  if (!countOk)
    return core::makeError(
        core::ErrorCode::InvalidArgument,
        "this shape needs " +
            std::string(annotation.shape == core::AnnotationShape::Rectangle ? "exactly " : "at least ") +
            std::to_string(need) + " point(s), got " + std::to_string(annotation.points.size()));
  for (const auto& p : annotation.points)
    if (!std::isfinite(p[0]) || !std::isfinite(p[1]))
      return core::makeError(core::ErrorCode::InvalidArgument, "annotation coordinates must be finite");
  if (annotation.id.empty() || find(annotation.id)) annotation.id = core::makeAnnotationId();
  // A new class gets the first palette colour no other class uses, so the first ten
  // classes of a set are always told apart.
  if (!annotation.className.empty() && !set_.findClass(annotation.className)) {
    Rgb color = colorOf(annotation.className);
    for (const Rgb& candidate : kPalette)
      if (std::none_of(set_.classes.begin(), set_.classes.end(), [&](const auto& c) { return c.color == candidate; })) {
        color = candidate;
        break;
      }
    set_.classes.push_back({annotation.className, color});
  }
  set_.annotations.push_back(std::move(annotation));
  return set_.annotations.back().id;
}

bool LabelLayer::remove(const std::string& id) {
  auto& list = set_.annotations;
  const auto it = std::find_if(list.begin(), list.end(), [&](const auto& a) { return a.id == id; });
  if (it == list.end()) return false;
  list.erase(it);
  if (selected_ == id) selected_.clear();
  return true;
}

std::vector<Point2> LabelLayer::handles(const core::Annotation& a) {
  if (a.shape != core::AnnotationShape::Rectangle || a.points.size() != 2) return a.points;
  const double x0 = std::min(a.points[0][0], a.points[1][0]), x1 = std::max(a.points[0][0], a.points[1][0]);
  const double y0 = std::min(a.points[0][1], a.points[1][1]), y1 = std::max(a.points[0][1], a.points[1][1]);
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
}

bool LabelLayer::moveHandle(const std::string& id, int handle, Point2 to) {
  core::Annotation* a = findMutable(id);
  if (!a || !std::isfinite(to[0]) || !std::isfinite(to[1])) return false;
  const auto corners = handles(*a);
  if (handle < 0 || handle >= static_cast<int>(corners.size())) return false;
  if (a->shape == core::AnnotationShape::Rectangle)
    a->points = {corners[static_cast<std::size_t>((handle + 2) % 4)], to};
  else
    a->points[static_cast<std::size_t>(handle)] = to;
  return true;
}

bool LabelLayer::translate(const std::string& id, double dx, double dy) {
  core::Annotation* a = findMutable(id);
  if (!a || !std::isfinite(dx) || !std::isfinite(dy)) return false;
  for (auto& p : a->points) p = {p[0] + dx, p[1] + dy};
  return true;
}

std::optional<LabelLayer::Hit> LabelLayer::hitTest(Point2 p, double tolerance) const {
  const auto& list = set_.annotations;
  // Handles first: a vertex shared with a shape below must still be grabbable.
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    const auto h = handles(*it);
    for (std::size_t i = 0; i < h.size(); ++i)
      if (std::hypot(h[i][0] - p[0], h[i][1] - p[1]) <= tolerance) return Hit{it->id, static_cast<int>(i)};
  }
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if (it->shape == core::AnnotationShape::Point) continue;  // points are all handle
    const auto outline = handles(*it);
    bool nearEdge = false;
    for (std::size_t i = 0; i < outline.size() && !nearEdge; ++i)
      nearEdge = distanceToSegment(p, outline[i], outline[(i + 1) % outline.size()]) <= tolerance;
    if (nearEdge || insidePolygon(p, outline)) return Hit{it->id, -1};
  }
  return std::nullopt;
}

Rgb LabelLayer::colorOf(const std::string& className) const {
  if (const core::AnnotationClass* c = set_.findClass(className)) return c->color;
  if (className.empty()) return {255, 255, 0};
  std::uint32_t hash = 2166136261u;  // FNV-1a: the same on every platform, unlike std::hash
  for (unsigned char ch : className) hash = (hash ^ ch) * 16777619u;
  return kPalette[hash % kPalette.size()];
}

void LabelLayer::setClassColor(const std::string& className, Rgb color) {
  for (auto& c : set_.classes)
    if (c.name == className) {
      c.color = color;
      return;
    }
  set_.classes.push_back({className, color});
}

core::Status LabelLayer::setLabelMap(core::Image2D labels, int imageWidth, int imageHeight) {
  if (labels.empty() || labels.channels() != 1 || labels.pixelType() == core::PixelType::Float32)
    return core::makeError(core::ErrorCode::InvalidArgument, "a label map has one channel of integer class indices");
  if (labels.width() != imageWidth || labels.height() != imageHeight)
    return core::makeError(core::ErrorCode::InvalidArgument, "the label map is " + std::to_string(labels.width()) +
                                                                 "x" + std::to_string(labels.height()) +
                                                                 " pixels, the image " + std::to_string(imageWidth) +
                                                                 "x" + std::to_string(imageHeight));
  labelMap_ = std::move(labels);
  return core::Ok{};
}

Rgb LabelLayer::labelColor(int index) const {
  if (index > 0 && index < static_cast<int>(labelNames_.size()) && !labelNames_[index].empty())
    return colorOf(labelNames_[index]);
  return kPalette[static_cast<std::size_t>(std::max(index - 1, 0)) % kPalette.size()];
}

std::vector<std::uint8_t> LabelLayer::labelMapRgba(double opacity) const {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(labelMap_.width()) * labelMap_.height() * 4, 0);
  const double a = std::clamp(opacity, 0.0, 1.0);
  for (int y = 0; y < labelMap_.height(); ++y)
    for (int x = 0; x < labelMap_.width(); ++x) {
      const int index = static_cast<int>(labelMap_.valueAt(x, y));
      if (index <= 0) continue;
      const Rgb c = labelColor(index);
      std::uint8_t* p = &out[(static_cast<std::size_t>(y) * labelMap_.width() + x) * 4];
      for (int k = 0; k < 3; ++k) p[k] = static_cast<std::uint8_t>(std::lround(c[k] * a));
      p[3] = static_cast<std::uint8_t>(std::lround(255 * a));
    }
  return out;
}

}  // namespace meridian::viewers
