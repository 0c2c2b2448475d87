#include "meridian/viewers/OverlayFit.hpp"

#include "meridian/viewers/SlideLabelImage.hpp"

namespace meridian::viewers {

core::Status acceptsOverlays(const ShownContent& shown) {
  if (!shown.hasContent)
    return core::makeError(core::ErrorCode::InvalidArgument, "open an image, volume or slide first");
  return core::Ok{};
}

LabelMapReading labelMapReading(const ShownContent& shown, bool fileStoresGeometry) {
  return shown.kind == ViewerKind::Slide && fileStoresGeometry ? LabelMapReading::MapWithGeometry
                                                              : LabelMapReading::Registry;
}

core::Result<FittedLabelMap> fitLabelMap(const ShownContent& shown, LabelMapReading how, ReadLabelMap read,
                                         const std::string& file) {
  if (auto status = acceptsOverlays(shown); !status) return status.error();
  if (std::holds_alternative<std::shared_ptr<core::SlideSource>>(read))
    return core::makeError(core::ErrorCode::Unsupported, file + ": a whole slide is not a label map");
  auto* asVolume = std::get_if<core::Volume>(&read);
  auto* asImage = std::get_if<core::Image2D>(&read);
  switch (shown.kind) {
    case ViewerKind::Slide: {
      // A NIfTI/NRRD/MHA map read with its geometry is in level-0 pixels already; a
      // PNG/TIFF mask has none and covers the whole slide at its own downsample.
      if (asVolume && how == LabelMapReading::MapWithGeometry) return FittedLabelMap(std::move(*asVolume));
      if (asImage == nullptr)
        return core::makeError(core::ErrorCode::InvalidArgument, file + ": a slide takes a one-plane label map");
      auto labels = slideLabelMapFromImage(*asImage, shown.width, shown.height);
      if (!labels) return core::makeError(labels.error().code, file + ": " + labels.error().message);
      return FittedLabelMap(std::move(labels).value());
    }
    case ViewerKind::Volume:
      if (asVolume == nullptr)
        return core::makeError(core::ErrorCode::InvalidArgument,
                               file + ": a volume needs a 3D label map (NIfTI, NRRD, MHA) in its space");
      return FittedLabelMap(std::move(*asVolume));
    case ViewerKind::Image2D:
      if (asVolume) {
        if (asVolume->size()[2] != 1)
          return core::makeError(core::ErrorCode::InvalidArgument,
                                 file + ": has " + std::to_string(asVolume->size()[2]) +
                                     " planes; a 2D image takes a single-plane label map");
        auto plane = asVolume->slice(0);
        if (!plane) return plane.error();
        return FittedLabelMap(std::move(plane).value());
      }
      return FittedLabelMap(std::move(*asImage));
  }
  return core::makeError(core::ErrorCode::InvalidArgument, "unknown viewer");
}

}  // namespace meridian::viewers
