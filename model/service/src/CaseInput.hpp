#pragma once
// A project case opened for the model: through io::openInput (the one input service), as a
// 2D image, a volume worth running slice by slice, or a slide. Library-private.

#include <memory>
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

}  // namespace meridian::service
