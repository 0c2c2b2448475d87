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

bool opensAsSeries(const project::CaseRecord& record) { return !record.seriesUid.empty() && record.files.size() > 1; }

io::DicomSeriesInfo seriesOf(const project::CaseRecord& r) {
  io::DicomSeriesInfo s;
  s.seriesUid = r.seriesUid;
  s.studyUid = r.studyUid;
  s.patientName = r.patientName;
  s.patientId = r.patientId;
  s.studyDate = r.studyDate;
  s.studyDescription = r.studyDescription;
  s.modality = r.modality;
  s.seriesDescription = r.seriesDescription;
  s.seriesNumber = r.seriesNumber;
  for (const auto& f : r.files) s.files.emplace_back(f.path);
  return s;
}

}  // namespace meridian::ui
