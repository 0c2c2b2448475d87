// VolumeViewer's label shapes: the class of new shapes and the colours of the classes
// (shared by the three planes), and the shapes as one annotation set with plane, slice and
// patient-space points (GeoJSON files through the overlay panel; the project's store).

#include <QStringList>

#include <algorithm>
#include <optional>

#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/PlaneShapes.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace meridian::viewers {
namespace {

std::optional<Plane> planeNamed(const std::string& name) {
  for (Plane plane : kPlanes)
    if (name == toString(plane)) return plane;
  return std::nullopt;
}

}  // namespace

void VolumeViewer::registerClass(const std::string& name) {
  if (name.empty()) return;  // unclassified shapes are yellow
  for (const auto& c : labelClasses_)
    if (c.name == name) return;
  // The colour rule of LabelLayer::add (first palette colour no class uses yet), applied
  // once for the whole viewer: per slice, each layer would pick its own.
  LabelLayer rule;
  rule.setAnnotations({{}, labelClasses_});
  if (!rule.add({"", core::AnnotationShape::Point, {{0.0, 0.0}}, name, "", "", -1, {}})) return;
  labelClasses_ = rule.annotations().classes;
  for (MprPlaneView* view : planes_) view->setLabelClasses(labelClasses_);
}

bool VolumeViewer::classInUse(const std::string& name) const {
  for (Plane plane : kPlanes)
    for (const core::Annotation& a : planeView(plane)->tools().labels())
      if (a.className == name) return true;
  return false;
}

void VolumeViewer::setLabelClass(const QString& name) {
  // The panel sends every keystroke ("T", "Tu", "Tum"...): a class named before and never
  // drawn with gives its colour back, so typing does not use up the palette.
  if (!provisionalClass_.empty() && !classInUse(provisionalClass_))
    labelClasses_.erase(std::remove_if(labelClasses_.begin(), labelClasses_.end(),
                                       [&](const core::AnnotationClass& c) { return c.name == provisionalClass_; }),
                        labelClasses_.end());
  provisionalClass_.clear();
  const std::string className = name.toStdString();
  const std::size_t before = labelClasses_.size();
  registerClass(className);
  if (labelClasses_.size() > before) provisionalClass_ = className;
  for (MprPlaneView* view : planes_) view->setLabelClass(className);
}

core::AnnotationSet VolumeViewer::annotations() const {
  core::AnnotationSet set;
  for (Plane plane : kPlanes)
    for (core::Annotation a : planeView(plane)->tools().labels()) {
      a.plane = toString(plane);
      if (volume_) a.patientPoints = planeToPatient(state_.geometry(), plane, a.slice, a.points);
      set.annotations.push_back(std::move(a));
    }
  // Only the classes the shapes use, like a 2D image's layer.
  for (const auto& c : labelClasses_)
    for (const auto& a : set.annotations)
      if (a.className == c.name) {
        set.classes.push_back(c);
        break;
      }
  return set;
}

void VolumeViewer::setAnnotations(core::AnnotationSet set) {
  for (MprPlaneView* view : planes_) view->clearLabels();
  if (!volume_) {
    if (!set.annotations.empty()) Q_EMIT statusMessage(tr("No volume open: label shapes not kept"));
    return;
  }
  // The file's colours win over the ones picked in this session; classes without one get theirs.
  for (const auto& c : set.classes) {
    bool known = false;
    for (auto& mine : labelClasses_)
      if (mine.name == c.name) {
        mine.color = c.color;
        known = true;
      }
    if (!known) labelClasses_.push_back(c);
  }
  for (MprPlaneView* view : planes_) view->setLabelClasses(labelClasses_);
  for (const auto& a : set.annotations) registerClass(a.className);

  int placedOnAxial = 0, skipped = 0;
  const int axialSlice = state_.sliceIndex(Plane::Axial);
  for (auto& a : set.annotations) {
    Plane plane = Plane::Axial;
    int slice = axialSlice;
    const auto named = planeNamed(a.plane);
    if (a.plane.empty()) {
      ++placedOnAxial;
    } else if (named && !a.patientPoints.empty()) {
      // Patient space is where the shape is; its pixels follow this viewer's grid.
      auto placed = patientToPlane(state_.geometry(), *named, a.patientPoints);
      if (!placed) {
        ++skipped;
        continue;
      }
      plane = *named;
      slice = placed->slice;
      a.points = std::move(placed->pixels);
    } else if (named && a.slice >= 0 && a.slice < state_.sliceCount(*named)) {
      plane = *named;
      slice = a.slice;
    } else {
      ++skipped;
      continue;
    }
    // The plane, slice and patient points are the layer's place, not part of the shape it keeps.
    a.plane.clear();
    a.slice = -1;
    a.patientPoints.clear();
    if (!planeView(plane)->addLabel(slice, std::move(a))) ++skipped;
  }
  QStringList notes;
  if (placedOnAxial)
    notes << tr("%n shape(s) without a plane put on axial slice %1", nullptr, placedOnAxial).arg(axialSlice + 1);
  if (skipped)
    notes << tr("%n shape(s) skipped (unknown plane, slice outside the volume or too few points)", nullptr, skipped);
  if (!notes.isEmpty()) Q_EMIT statusMessage(notes.join(QStringLiteral("; ")));
  Q_EMIT annotationsChanged();
}

}  // namespace meridian::viewers
