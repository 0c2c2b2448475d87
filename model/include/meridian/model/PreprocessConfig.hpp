#pragma once
// How an image becomes the model's input tensor, recorded in model.json: which kind of
// image the model takes (its modality), CT windows to channels, grayscale to 3 channels,
// resize keeping the aspect ratio, pad to a square, scale to [0, 1], normalise per channel.

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace meridian::model {

/// The kind of image a model was trained on; the preprocessor refuses other kinds.
enum class InputModality {
  Any,        // photos, screenshots, MR: mapped to [0, 1]; a CT in HU with no window of its own through ctWindows
  CT,         // one channel of Hounsfield units (rescaled DICOM, NIfTI), mapped through ctWindows
  Grayscale,  // radiographs, MR: one channel (or three equal ones), display window or 0.5..99.5 percentiles; a CT in HU as for Any
  Color,      // pathology tiles, fundus photographs, dermoscopy: three colour channels
};

/// A CT display window in Hounsfield units: [center - width/2, center + width/2] -> [0, 1].
struct HuWindow {
  double center = 40.0;
  double width = 400.0;
};

struct PreprocessConfig {
  InputModality modality = InputModality::Any;
  // 1 window (replicated to the 3 channels) or 3 windows (one per channel, e.g. lung,
  // mediastinum, bone). Empty means the mediastinal window 40/400. CT models put every
  // image through them; any and grayscale models a CT in Hounsfield units that carries no
  // display window of its own (rendersThroughCtWindows); colour models take none.
  std::vector<HuWindow> ctWindows;
  // ImageNet statistics: what torchvision and timm ViTs were trained with.
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
  // Value of padded pixels before normalisation, in [0, 1] (0 = black border).
  float padValue = 0.0f;
};

/// "any", "ct", "grayscale", "color": the spelling in model.json and on the command line.
const char* toString(InputModality modality);
std::optional<InputModality> parseInputModality(const std::string& text);

/// Named CT windows (radiology defaults): "lung" (-600/1500), "mediastinum" (40/400),
/// "bone" (400/1800), "brain" (40/80), "liver" (60/160), "soft-tissue" (50/350).
std::optional<HuWindow> ctWindowPreset(const std::string& name);

}  // namespace meridian::model
