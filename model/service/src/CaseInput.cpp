#include "CaseInput.hpp"

#include <filesystem>

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

namespace {
/// "path|size|mtime" of a regular file; "" for anything else (a series folder: not kept).
std::string fileKey(const project::CaseRecord& record) {
  std::error_code ec;
  const std::filesystem::path path(record.path);
  if (!record.seriesUid.empty() && std::filesystem::is_directory(path, ec)) return {};
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return {};
  const auto time = std::filesystem::last_write_time(path, ec);
  if (ec) return {};
  return record.path + "|" + record.seriesUid + "|" + std::to_string(size) + "|" +
         std::to_string(time.time_since_epoch().count());
}
}  // namespace

core::Result<CaseInput> RecentImageInput::open(const project::CaseRecord& record) {
  const std::string key = fileKey(record);
  if (!key.empty() && key == key_ && input_) return *input_;
  auto opened = openCase(record);
  if (!opened) return opened.error();
  key_.clear();
  input_.reset();
  if (!key.empty() && std::holds_alternative<core::Image2D>(opened.value().content)) {
    key_ = key;
    input_ = opened.value();
  }
  return opened;
}

}  // namespace meridian::service
