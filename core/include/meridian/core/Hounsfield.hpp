#pragma once
// Whether scalar values are a CT in Hounsfield units. One rule, shared by the volume viewer's
// first look (viewers/InitialDisplay) and the model's rendering of a CT for models that take
// any image (model/Preprocessor), so the two never disagree about what counts as a CT.

#include <array>

#include "meridian/core/Image2D.hpp"

namespace meridian::core {

/// With no modality in the file: values that reach air (<= -900 HU) and bone (>= 300 HU)
/// read as Hounsfield units. MR and photographs rarely reach -900.
bool rangeLooksLikeHounsfield(const std::array<double, 2>& valueRange);

/// A one-channel, more-than-8-bit image whose DICOM modality is "CT", or whose modality is
/// unknown and whose values look like Hounsfield units (rangeLooksLikeHounsfield). 8 bits
/// hold no Hounsfield units (a screenshot or secondary capture of a CT), so they never count.
bool isHounsfieldCt(const Image2D& image);

}  // namespace meridian::core
