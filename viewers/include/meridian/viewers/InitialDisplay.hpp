#pragma once
// How a volume first appears: the window/level of its planes and the 3D preset, chosen from
// its modality and body part instead of one fixed look for everything (an MR head opened
// with the "CT bone" transfer function, a head CT with a percentile window such as
// L 185 / W 2417 that shows no brain). Plain C++: tests drive the rules without a window.
//
//   CT (or no modality, values in HU: air at -1000)  3D "CT bone"; window by body part:
//       head/brain -> Brain 40/80, chest/lung -> Lung -600/1500, abdomen/pelvis -> Abdomen
//       40/400, extremities/spine -> Bone 400/1800; body part unknown -> the data's window
//   MR, PET, anything not in HU                        3D "MIP" (no HU assumption), the
//                                                      data's window (percentiles)

#include <array>
#include <optional>
#include <string>

#include "meridian/core/Image2D.hpp"

namespace meridian::viewers {

enum class Volume3DPreset { CtBone, SoftTissue, Mip };
const char* toString(Volume3DPreset preset);

enum class BodyRegion { Unknown, Head, Chest, Abdomen, Extremity };
const char* toString(BodyRegion region);

/// The body region named in free text: DICOM BodyPartExamined, study or series description
/// ("Routine Brain", "CT THORAX", "ABD/PELVIS", "ANKLE"...). Unknown when none is named.
BodyRegion bodyRegionFromText(const std::string& text);

struct InitialDisplay {
  /// Window in display units (HU for CT); nullopt: the data's own (core::defaultWindow).
  std::optional<core::WindowLevel> window;
  /// Name of the ctWindowPresets() entry chosen ("" when none).
  std::string windowPreset;
  Volume3DPreset preset3D = Volume3DPreset::Mip;
  bool treatedAsCt = false;
};

/// `modality` as DICOM writes it ("CT", "MR", "" when unknown); `valueRange` the volume's
/// min and max in display units (after rescale): with no modality, values reaching air in
/// HU (<= -900) and bone (>= 300) count as CT.
InitialDisplay chooseInitialDisplay(const std::string& modality, BodyRegion region,
                                    std::array<double, 2> valueRange);

}  // namespace meridian::viewers
