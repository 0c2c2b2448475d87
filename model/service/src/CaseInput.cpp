#include "CaseInput.hpp"

#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/InputOpener.hpp"

namespace meridian::service {

core::Result<CaseInput> openCase(const project::CaseRecord& record) {
  io::OpenInputOptions options;
  options.seriesUid = record.seriesUid;
  auto opened = io::openInput(record.path, options);
  if (!opened) return core::makeError(opened.error().code, "case " + std::to_string(record.id) + ": " + opened.error().message);
  CaseInput input;
  input.modality = record.modality;
  auto& content = opened.value().image.content;
  if (auto* slide = std::get_if<std::shared_ptr<core::SlideSource>>(&content)) {
    input.content = *slide;
    return input;
  }
  if (auto* volume = std::get_if<core::Volume>(&content); volume && volume->size()[2] >= 2 && volume->channels() == 1) {
    if (volume->modality.empty()) volume->modality = record.modality;
    input.modality = volume->modality;
    input.content = std::move(*volume);
    return input;
  }
  auto image = io::representativeImage(opened.value().image);
  if (!image) return core::makeError(image.error().code, "case " + std::to_string(record.id) + ": " + image.error().message);
  if (image.value().modality.empty()) image.value().modality = record.modality;
  input.modality = image.value().modality;
  input.content = std::move(image).value();
  return input;
}

}  // namespace meridian::service
