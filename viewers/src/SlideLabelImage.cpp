#include "meridian/viewers/SlideLabelImage.hpp"

#include <cmath>
#include <cstring>
#include <string>

namespace meridian::viewers {

core::Result<core::Volume> slideLabelMapFromImage(const core::Image2D& labels, std::int64_t slideWidth,
                                                  std::int64_t slideHeight) {
  const std::string sizes = std::to_string(labels.width()) + "x" + std::to_string(labels.height()) + " label image, " +
                            std::to_string(slideWidth) + "x" + std::to_string(slideHeight) + " slide (level 0)";
  if (labels.empty() || labels.width() < 1 || labels.height() < 1)
    return core::makeError(core::ErrorCode::InvalidArgument, "the label image is empty");
  if (slideWidth < 1 || slideHeight < 1)
    return core::makeError(core::ErrorCode::InvalidArgument, "no slide to put the label image on (" + sizes + ")");
  if (labels.channels() != 1)
    return core::makeError(core::ErrorCode::Unsupported,
                           "a label image has one channel of class indices; this one has " +
                               std::to_string(labels.channels()) + " (a colour picture, not a labelled image)");
  if (labels.pixelType() == core::PixelType::Float32)
    return core::makeError(core::ErrorCode::Unsupported,
                           "a label image holds integer class indices; this one is floating point (a probability "
                           "map? load it as a heatmap)");
  // The mask covers the whole slide, so its aspect ratio is the slide's: its height is the
  // slide's height scaled like its width, give or take the rounding of one label pixel.
  const double expectedHeight = static_cast<double>(slideHeight) * labels.width() / static_cast<double>(slideWidth);
  const double expectedWidth = static_cast<double>(slideWidth) * labels.height() / static_cast<double>(slideHeight);
  if (std::abs(labels.height() - expectedHeight) > 1.0 && std::abs(labels.width() - expectedWidth) > 1.0)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "the label image's aspect ratio is not the slide's (" + sizes +
                               "): it belongs to another slide, or to a part of this one");
  auto volume = core::Volume::allocate({labels.width(), labels.height(), 1}, labels.pixelType(),
                                       core::PixelBuffer::Init::Uninitialized);
  if (!volume) return volume.error();
  core::Volume map = std::move(volume).value();
  std::memcpy(map.data(), labels.data(), map.sizeInBytes());
  const double sx = static_cast<double>(slideWidth) / labels.width();
  const double sy = static_cast<double>(slideHeight) / labels.height();
  map.spacing = {sx, sy, 1.0};
  // Label pixel (0, 0) covers level-0 edges [-0.5, sx - 0.5): its centre is sx / 2 - 0.5.
  map.origin = {sx / 2 - 0.5, sy / 2 - 0.5, 0.0};
  return map;
}

}  // namespace meridian::viewers
