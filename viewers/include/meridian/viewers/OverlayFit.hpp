#pragma once
// Which overlay map fits which viewer, decided without a widget: the window asks the viewer
// on screen for its ShownContent, reads the file as labelMapReading() says, and
// fitLabelMap() turns what was read into the one form that viewer takes -- or refuses it
// with a reason a user can act on. Plain C++ (no Qt, no VTK): tests drive every rule.
//
//   2D image   heatmap: a map in its pixel geometry; label map: one plane, the image's size
//   volume     heatmap and label map: a volume in the same patient space (NIfTI/NRRD/MHA)
//   slide      heatmap: a map in level-0 pixel geometry; label map: a NIfTI/NRRD/MHA map in
//              level-0 geometry, or a PNG/TIFF mask covering the whole slide (QuPath's
//              labelled-image export); never a whole slide

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/SlideSource.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/viewers/ViewerKind.hpp"

namespace meridian::viewers {

/// What a viewer shows now, as far as the overlay rules need to know.
struct ShownContent {
  ViewerKind kind = ViewerKind::Image2D;
  bool hasContent = false;
  /// Image pixels (2D) or level-0 pixels (slide); 0 for volumes (their maps carry geometry).
  std::int64_t width = 0, height = 0;
};

/// Ok when the viewer shows something an overlay can go on; else "open ... first".
core::Status acceptsOverlays(const ShownContent& shown);

/// How to read a label-map file for this viewer: with its geometry (io::readMap, for a
/// slide and a NIfTI/NRRD/MHA file) or through the reader registry (everything else).
enum class LabelMapReading { MapWithGeometry, Registry };
LabelMapReading labelMapReading(const ShownContent& shown, bool fileStoresGeometry);

/// What a label-map file held, as read (the reader registry's content, or readMap's volume).
using ReadLabelMap = std::variant<core::Image2D, core::Volume, std::shared_ptr<core::SlideSource>>;
/// The label map in the form the viewer takes: an Image2D for the 2D viewer, a Volume with
/// geometry for the volume and slide viewers.
using FittedLabelMap = std::variant<core::Image2D, core::Volume>;

/// Turns what was read from `file` (named in every refusal), the way `how` says, into the
/// viewer's form, or refuses: a slide as a label map, a 2D map on a volume, a multi-plane
/// map on a 2D image or (read without geometry) on a slide, a colour mask or one of another
/// aspect ratio on a slide. The viewer still checks sizes, values and geometry.
core::Result<FittedLabelMap> fitLabelMap(const ShownContent& shown, LabelMapReading how, ReadLabelMap read,
                                         const std::string& file);

}  // namespace meridian::viewers
