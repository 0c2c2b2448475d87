#pragma once
// A project case opened for the model: through io::openInput (the one input service), as a
// 2D image, a volume worth running slice by slice, or a slide. Library-private.

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/SlideSource.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/project/ProjectRecords.hpp"

namespace meridian::service {

struct CaseInput {
  // Image2D: a picture, one slice, a colour frame stack's first frame; Volume: >= 2 grey slices.
  std::variant<core::Image2D, core::Volume, std::shared_ptr<core::SlideSource>> content;
  std::string modality;  // the DICOM modality when the files say it ("CT", "MR", "SM")
};

/// Opens the case's file or series. An incomplete series is refused (its message says what
/// is missing); the message names the case.
core::Result<CaseInput> openCase(const project::CaseRecord& record);

/// openCase that keeps the last 2D image it decoded, so that explaining the case just
/// predicted (the window's Run: label, then map) does not read and decode its file again.
/// Keyed by the file's path, size and modification time: a file changed on disk is read
/// again. Volumes and slides are not kept (they are large, and their pipelines stream).
/// Not thread-safe: one per service, used by one job at a time (ModelService.hpp).
class RecentImageInput {
 public:
  core::Result<CaseInput> open(const project::CaseRecord& record);

 private:
  std::string key_;
  std::optional<CaseInput> input_;
};

}  // namespace meridian::service
