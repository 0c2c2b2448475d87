#pragma once
// How a one-channel DICOM image is presented, and which alternatives its file offers
// (PS3.4 N.2, PS3.3 C.11.2): the first VOI LUT Sequence item when there is one, else the
// first stored window (Window Center/Width), else the data's own window. The others stay
// on offer by their explanation text (the 2D viewer's window menu), with the free W/L a
// user drags. Plain C++: the viewer's Qt part lists these choices and shows the result.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::viewers {

struct PresentationChoice {
  enum class Kind { VoiLut, StoredWindow, Free };
  Kind kind = Kind::Free;
  std::size_t index = 0;  // into Image2D::voiLuts (VoiLut) or Image2D::windows (StoredWindow)
  /// For a menu: a VOI LUT's LUT Explanation ("VOI LUT 2" when it has none); a stored
  /// window's place and values ("Window 1  (L 40 / W 400)"); "Free window/level".
  std::string label;
};

/// Every presentation the image offers, in menu order: its VOI LUTs, its stored windows
/// (both in the file's order), then Free. Colour images offer only Free.
std::vector<PresentationChoice> presentationChoices(const core::Image2D& image);

/// The choice that applies when the image opens: the first VOI LUT, else the first stored
/// window, else Free (the last choice).
std::size_t initialPresentation(const std::vector<PresentationChoice>& choices);

/// What the viewer draws for a choice.
struct PresentedImage {
  /// VoiLut: the table's output (applyLookupTable), drawn instead of the image; nullopt:
  /// the image itself.
  std::optional<core::Image2D> lutOutput;
  /// VoiLut: the table's whole output range 0 .. 2^bits - 1 onto black .. white (the LUT
  /// already is the window); StoredWindow: that window; Free: nullopt (the viewer's own).
  std::optional<core::WindowLevel> window;
};

/// Fails (with the reason) only when a VOI LUT cannot be applied to the image.
core::Result<PresentedImage> presentImage(const core::Image2D& image, const PresentationChoice& choice);

}  // namespace meridian::viewers
