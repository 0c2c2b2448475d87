#include "meridian/viewers/ImagePresentation.hpp"

#include <sstream>

#include "meridian/core/LookupTable.hpp"

namespace meridian::viewers {
namespace {

std::string windowText(const core::WindowLevel& w) {
  std::ostringstream text;
  text.precision(6);
  text << "(L " << w.center << " / W " << w.width << ")";
  return text.str();
}

}  // namespace

std::vector<PresentationChoice> presentationChoices(const core::Image2D& image) {
  std::vector<PresentationChoice> choices;
  if (image.channels() == 1) {
    for (std::size_t i = 0; i < image.voiLuts.size(); ++i) {
      const std::string& explanation = image.voiLuts[i].explanation;
      choices.push_back({PresentationChoice::Kind::VoiLut, i,
                         explanation.empty() ? "VOI LUT " + std::to_string(i + 1) : explanation});
    }
    // Image2D keeps no Window Center & Width Explanation yet: a stored window is named by
    // its place and values.
    for (std::size_t i = 0; i < image.windows.size(); ++i)
      choices.push_back({PresentationChoice::Kind::StoredWindow, i,
                         "Window " + std::to_string(i + 1) + "  " + windowText(image.windows[i])});
  }
  choices.push_back({PresentationChoice::Kind::Free, 0, "Free window/level"});
  return choices;
}

std::size_t initialPresentation(const std::vector<PresentationChoice>& choices) {
  for (auto kind : {PresentationChoice::Kind::VoiLut, PresentationChoice::Kind::StoredWindow})
    for (std::size_t i = 0; i < choices.size(); ++i)
      if (choices[i].kind == kind) return i;
  return choices.empty() ? 0 : choices.size() - 1;
}

core::Result<PresentedImage> presentImage(const core::Image2D& image, const PresentationChoice& choice) {
  PresentedImage out;
  switch (choice.kind) {
    case PresentationChoice::Kind::VoiLut: {
      if (choice.index >= image.voiLuts.size())
        return core::makeError(core::ErrorCode::InvalidArgument, "the image has no VOI LUT " + std::to_string(choice.index + 1));
      const core::LookupTable& lut = image.voiLuts[choice.index];
      auto shown = core::applyLookupTable(image, lut);
      if (!shown) return shown.error();
      out.lutOutput = std::move(shown).value();
      // The LUT's output spans 0 .. 2^bits - 1 (PS3.3 C.11.2.1.1): that whole range is the display's range.
      const double top = static_cast<double>((1u << lut.bits) - 1u);
      out.window = core::WindowLevel{top / 2.0, top};
      break;
    }
    case PresentationChoice::Kind::StoredWindow:
      if (choice.index >= image.windows.size())
        return core::makeError(core::ErrorCode::InvalidArgument, "the image has no window " + std::to_string(choice.index + 1));
      out.window = image.windows[choice.index];
      break;
    case PresentationChoice::Kind::Free:
      break;
  }
  return out;
}

}  // namespace meridian::viewers
