#include "meridian/ui/ContentRouting.hpp"

namespace meridian::ui {

viewers::ViewerKind viewerFor(const io::OpenedImage& opened) {
  if (std::holds_alternative<std::shared_ptr<core::SlideSource>>(opened.content)) return viewers::ViewerKind::Slide;
  if (const auto* volume = std::get_if<core::Volume>(&opened.content); volume && volume->channels() == 1)
    return viewers::ViewerKind::Volume;
  return viewers::ViewerKind::Image2D;
}

bool isFrameStack(const io::OpenedImage& opened) {
  const auto* volume = std::get_if<core::Volume>(&opened.content);
  return volume != nullptr && volume->channels() != 1;
}

viewers::BodyRegion bodyRegionOf(const io::DicomSeriesInfo& series) {
  const viewers::BodyRegion fromSeries = viewers::bodyRegionFromText(series.seriesDescription);
  return fromSeries != viewers::BodyRegion::Unknown ? fromSeries
                                                    : viewers::bodyRegionFromText(series.studyDescription);
}

}  // namespace meridian::ui
