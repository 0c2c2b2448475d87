#pragma once
// The label layer's model, without a window: annotations (points, rectangles, polygons)
// with class colours, the edits a person makes on them (add, move a vertex, move a shape,
// delete), hit testing for the mouse, and an optional label map (one class index per
// pixel). The 2D viewer and the slide viewer draw it and route the mouse into it; files go
// through core/AnnotationsGeoJson. Coordinates: image pixel coordinates (pixel (i, j)'s
// centre at (i, j); level-0 pixels for slides).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Annotations.hpp"
#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/viewers/Measurements.hpp"

namespace meridian::viewers {

using Rgb = std::array<std::uint8_t, 3>;

class LabelLayer {
 public:
  struct Hit {
    std::string id;
    int handle = -1;  // index into handles(), or -1 for the shape's body
  };

  const core::AnnotationSet& annotations() const { return set_; }
  /// Replaces everything (a loaded file); selection cleared.
  void setAnnotations(core::AnnotationSet set);
  /// Removes the shapes drawn on a volume's plane (Annotation::plane set): their coordinates
  /// are that plane's pixels, meaningless on a 2D image or a slide. Returns how many.
  static std::size_t dropVolumeShapes(core::AnnotationSet& set);
  const core::Annotation* find(const std::string& id) const;

  /// Adds an annotation (an id is made when it has none or a taken one) and returns its
  /// id. Fails on the wrong number of points: a point needs >= 1, a rectangle 2, a polygon 3.
  core::Result<std::string> add(core::Annotation annotation);
  bool remove(const std::string& id);

  /// Where the mouse can grab a shape: a rectangle's four corners (clockwise from the
  /// corner with the smallest x and y), a polygon's vertices, a point annotation's points.
  static std::vector<Point2> handles(const core::Annotation& annotation);
  /// Moves handle `handle` to `to`; a rectangle's opposite corner stays where it is.
  bool moveHandle(const std::string& id, int handle, Point2 to);
  /// Moves the whole shape.
  bool translate(const std::string& id, double dx, double dy);

  /// The topmost annotation at `p`: handles within `tolerance` (image pixels) first, then
  /// bodies (inside a rectangle or polygon, or within tolerance of its outline or of a point).
  std::optional<Hit> hitTest(Point2 p, double tolerance) const;

  const std::string& selected() const { return selected_; }
  void select(const std::string& id) { selected_ = find(id) ? id : std::string(); }

  /// A class's colour: its own when the set has one, else a fixed colour from a palette
  /// picked by the name (the same name gets the same colour in every session).
  Rgb colorOf(const std::string& className) const;
  void setClassColor(const std::string& className, Rgb color);

  /// A label map over the image: one channel of integer class indices (0 = none), the same
  /// size as the width x height image it labels. Refused otherwise, with both sizes.
  core::Status setLabelMap(core::Image2D labels, int imageWidth, int imageHeight);
  void clearLabelMap() { labelMap_ = core::Image2D(); }
  const core::Image2D& labelMap() const { return labelMap_; }
  /// Names for label-map indices (index i -> labelNames[i]); colours come from colorOf().
  void setLabelNames(std::vector<std::string> names) { labelNames_ = std::move(names); }
  Rgb labelColor(int index) const;
  /// The label map as premultiplied RGBA at its own size (index 0 transparent).
  std::vector<std::uint8_t> labelMapRgba(double opacity) const;

 private:
  core::Annotation* findMutable(const std::string& id);

  core::AnnotationSet set_;
  std::string selected_;
  core::Image2D labelMap_;
  std::vector<std::string> labelNames_;
};

}  // namespace meridian::viewers
