#pragma once
// A label image without geometry of its own (a PNG or TIFF mask exported at some
// downsample of a whole slide, as QuPath's "Export labelled image" writes it) turned into a
// slide label map: a 1-channel Volume of class indices whose geometry places its cells in
// the slide's level-0 pixel coordinates (the map convention of HeatmapLayer.hpp), ready for
// SlideViewer::setLabelMap. Plain C++ (no Qt): tests drive it directly.

#include <cstdint>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::viewers {

/// The image is taken to cover the whole level-0 slide (slideWidth x slideHeight): spacing
/// = slideWidth / width and slideHeight / height level-0 pixels per label pixel, origin =
/// centre of label pixel (0, 0) = spacing / 2 - 0.5 (level-0 pixel centres on integers),
/// depth 1, the image's own pixel type. Refused, with both sizes named, when the image's
/// aspect ratio differs from the slide's by more than one label pixel (a mask of another
/// slide, or of a crop), and when it is a colour or floating-point image (a picture, not
/// class indices).
core::Result<core::Volume> slideLabelMapFromImage(const core::Image2D& labels, std::int64_t slideWidth,
                                                  std::int64_t slideHeight);

}  // namespace meridian::viewers
