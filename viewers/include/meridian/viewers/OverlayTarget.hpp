#pragma once
// What the "Tools & overlays" panel (OverlayPanel) drives, whichever viewer shows the
// open content: the heatmap's look (shown, colour map, opacity, threshold), the mouse tool,
// label shapes and their class, measurements and the view's screenshot. The 2D, slide and
// volume viewers implement it; the panel is pointed at the one on screen
// (OverlayPanel::setTarget), so one set of controls acts on what the user sees.
//
// A viewer says which tools it offers (supportsTool); the panel hides the others. Label
// shapes live in image pixel coordinates of that viewer (level-0 pixels for slides).

#include <QString>

#include <optional>

#include "meridian/core/Annotations.hpp"
#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"
#include "meridian/viewers/ToolController2D.hpp"

namespace meridian::viewers {

class OverlayTarget {
 public:
  virtual ~OverlayTarget() = default;

  // --- heatmap: the layer and its look (the map itself is set by the owner, which has the readers)
  virtual const HeatmapLayer& heatmap() const = 0;
  virtual bool heatmapVisible() const = 0;
  virtual void setHeatmapVisible(bool visible) = 0;
  virtual void setHeatmapColorMap(core::ColorMap colors) = 0;
  virtual void setHeatmapOpacity(double opacity) = 0;
  virtual void setHeatmapThreshold(std::optional<double> threshold) = 0;

  // --- tools, labels, measurements
  virtual bool supportsTool(Tool2D tool) const = 0;
  virtual Tool2D tool() const = 0;
  /// Only tools the viewer supports are passed.
  virtual void setTool(Tool2D tool) = 0;
  /// Class of new label shapes ("" = unclassified).
  virtual void setLabelClass(const QString& name) = 0;
  /// True when the viewer keeps label shapes (annotations()/setAnnotations() do something).
  virtual bool supportsAnnotations() const = 0;
  virtual core::AnnotationSet annotations() const = 0;
  /// Replaces the label shapes (a loaded GeoJSON file).
  virtual void setAnnotations(core::AnnotationSet set) = 0;
  virtual void clearMeasurements() = 0;
  /// True when "Load label map…" applies (a class index per pixel or voxel); slides take
  /// label shapes instead.
  virtual bool supportsLabelMaps() const { return true; }
  /// The label map's opacity (0 = hidden, 1 = opaque; 0.4 in a fresh viewer).
  virtual double labelMapOpacity() const = 0;
  virtual void setLabelMapOpacity(double opacity) = 0;

  /// The view as shown, with its overlays, to a PNG file.
  virtual bool saveScreenshot(const QString& path) = 0;
};

}  // namespace meridian::viewers
