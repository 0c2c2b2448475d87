#pragma once
// Turns a core::Image2D into the model's float input (torch-free, so it is tested and
// reused without LibTorch).

#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/model/Letterbox.hpp"
#include "meridian/model/PreprocessConfig.hpp"

namespace meridian::model {

struct PreprocessedImage {
  int size = 0;            // square side in pixels
  std::vector<float> chw;  // 3 x size x size, normalised
  Letterbox letterbox;
};

/// Whether `image` is the kind of image the model was trained on (config.modality):
///  - CT: one channel of Hounsfield units, i.e. not 8-bit, and some air in it (a value
///    below -200 HU: a whole CT slice always has some; values shifted by +1024 or an MR
///    slice usually have none). `sourceModality` (DICOM Modality, "" = unknown), when
///    known, must be "CT".
///  - Grayscale: one channel, or three equal ones (a grey image saved as RGB).
///  - Color: three channels.
///  - Any: every 1- or 3-channel image.
/// The message says what the model takes and what the image is.
core::Status checkInputKind(const core::Image2D& image, const PreprocessConfig& config,
                            const std::string& sourceModality = "");

/// For CT models: a whole input (an image, or a volume at once: single slices near the top
/// of a scan may show no air) whose lowest value is above -200 has no air in it, so its
/// values are not Hounsfield units (raw stored values, or a clipped export). Ok otherwise.
core::Status checkLooksLikeHounsfield(double lowestValue, const PreprocessConfig& config);

/// Whether `image` goes through config.ctWindows (none = the mediastinal window 40/400):
/// always for CT models; for models that take any image or grayscale, a CT in Hounsfield
/// units (core::isHounsfieldCt: DICOM modality CT, or no modality and values reaching air
/// and bone) that carries no display window of its own -- what a CT viewer shows, not the
/// slice stretched from its lowest to its highest value.
bool rendersThroughCtWindows(const core::Image2D& image, const PreprocessConfig& config);

/// Checks the kind (checkInputKind), then: a CT (rendersThroughCtWindows) goes through its
/// windows (1 window feeds the 3 channels, 3 windows one channel each); grayscale becomes 3
/// equal channels; UInt8 is divided by 255; other types are mapped to [0, 1] through the
/// image's display window when it has one, else the 0.5th..99.5th percentile of its values.
/// Resizing is separable with a triangle filter widened by the downscale factor
/// (antialiased, like PIL's bilinear), so large images do not alias when shrunk.
core::Result<PreprocessedImage> preprocessImage(const core::Image2D& image, int inputSize,
                                                const PreprocessConfig& config = {});

}  // namespace meridian::model
