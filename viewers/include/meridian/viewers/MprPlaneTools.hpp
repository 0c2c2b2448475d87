#pragma once
// The measurement and label tools of one MPR plane, without a window: distance, angle,
// rectangle and ellipse ROIs, and label shapes (points, rectangles, polygons with a class),
// drawn in plane pixel coordinates (MprGeometry's PlaneGrid) with a ToolController2D and a
// LabelLayer per voxel slice, so a measurement or a shape belongs to the slice it was made
// on: it is shown and hit only there, and comes back when the plane returns to that slice.
// Class colours are the viewer's (setClasses), the same on every slice and plane.
// Plain C++: no Qt, no VTK.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/viewers/LabelLayer.hpp"
#include "meridian/viewers/Measurements.hpp"
#include "meridian/viewers/ToolController2D.hpp"

namespace meridian::viewers {

class MprPlaneTools {
 public:
  MprPlaneTools() = default;
  MprPlaneTools(const MprPlaneTools&) = delete;
  MprPlaneTools& operator=(const MprPlaneTools&) = delete;

  /// Every tool: Navigate, Probe, Distance, Angle, RectangleRoi, EllipseRoi, LabelPoint,
  /// LabelRectangle, LabelPolygon and EditLabels.
  static bool supports(Tool2D tool);
  Tool2D tool() const { return tool_; }
  /// Applies to every slice; drops unfinished drafts. Unsupported tools are ignored.
  void setTool(Tool2D tool);

  /// The controller of voxel slice `slice` (made on first use). Switching to another slice
  /// drops the draft left on the previous one: a half-drawn shape does not wait on a slice
  /// the user has scrolled away from.
  ToolController2D& at(int slice);
  /// The controller of `slice`, or nullptr when nothing was ever drawn there.
  const ToolController2D* find(int slice) const;
  ToolController2D* find(int slice);
  /// Measurements made on `slice`.
  std::vector<Measurement> measurementsOn(int slice) const;
  /// Drops the shape being drawn, on whatever slice (the plane moved to another slice).
  void cancelDraft();
  /// Measurements on every slice of the plane.
  std::size_t count() const;
  /// Drops the measurements (and drafts); label shapes stay.
  void clear();

  /// Class of new label shapes on every slice ("" = unclassified).
  void setLabelClass(std::string name);
  /// The classes' colours, applied to every slice's layer (now and when one is made), so a
  /// class has one colour whichever slice it is drawn on.
  void setClasses(std::vector<core::AnnotationClass> classes);
  /// The label shapes of `slice`, or nullptr when nothing was ever drawn there.
  const LabelLayer* labelsOn(int slice) const;
  /// Adds a shape to `slice` (LabelLayer::add's checks) without changing the slice being
  /// drawn on; returns its id.
  core::Result<std::string> addLabel(int slice, core::Annotation annotation);
  /// Every label shape of the plane, ordered by slice, each with `slice` set (`plane` is
  /// left to the caller, which knows which plane this is).
  std::vector<core::Annotation> labels() const;
  std::size_t labelCount() const;
  void clearLabels();

 private:
  // One voxel slice: its label shapes and the controller that edits them and keeps its measurements.
  struct SliceTools {
    LabelLayer labels;
    ToolController2D tools{labels};
  };
  SliceTools& slot(int slice);

  Tool2D tool_ = Tool2D::Navigate;
  std::string labelClass_;
  std::vector<core::AnnotationClass> classes_;
  std::map<int, std::unique_ptr<SliceTools>> bySlice_;
  int active_ = -1;
};

/// Stored value -> display value (HU for CT) of a volume: v * slope + intercept.
struct ValueRescale {
  double slope = 1.0;
  double intercept = 0.0;
  std::string unit;  // "HU" for CT, empty when unknown
};

/// ROI statistics (rectangle or ellipse measurement) over the plane's pixels (stored
/// values, as resliced), in display values through `rescale`.
core::Result<RoiStatistics> planeRoiStatistics(const Measurement& roi, const core::Image2D& plane,
                                               const ValueRescale& rescale);

/// What a measurement on a plane reads: distances and angles in mm through the plane's pixel
/// spacing (`plane.spacing`, mm per plane pixel); ROI statistics over the plane's pixels
/// (stored values, as resliced) in display values through `rescale`.
std::string planeMeasurementText(const Measurement& measurement, const core::Image2D& plane,
                                 const ValueRescale& rescale);

}  // namespace meridian::viewers
