#include "meridian/viewers/InitialDisplay.hpp"

#include <algorithm>
#include <cctype>

#include "meridian/core/Hounsfield.hpp"
#include "meridian/viewers/VolumeViewState.hpp"

namespace meridian::viewers {
namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

bool namesAny(const std::string& text, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&](const char* w) { return text.find(w) != std::string::npos; });
}

}  // namespace

const char* toString(Volume3DPreset preset) {
  switch (preset) {
    case Volume3DPreset::CtBone: return "CT bone";
    case Volume3DPreset::SoftTissue: return "Soft tissue";
    case Volume3DPreset::Mip: return "MIP";
  }
  return "?";
}

const char* toString(BodyRegion region) {
  switch (region) {
    case BodyRegion::Unknown: return "unknown";
    case BodyRegion::Head: return "head";
    case BodyRegion::Chest: return "chest";
    case BodyRegion::Abdomen: return "abdomen";
    case BodyRegion::Extremity: return "extremity";
  }
  return "?";
}

BodyRegion bodyRegionFromText(const std::string& text) {
  const std::string t = upper(text);
  // Head first: "HEAD AND NECK", "BRAIN" and "SKULL" are head studies even when "NECK" follows.
  if (namesAny(t, {"HEAD", "BRAIN", "SKULL", "CRANI", "CEREBR", "NEURO", "SINUS", "ORBIT"})) return BodyRegion::Head;
  if (namesAny(t, {"CHEST", "THORAX", "THORAC", "LUNG", "PULMO", "THX"})) return BodyRegion::Chest;
  if (namesAny(t, {"ABDOM", "ABD", "PELVI", "LIVER", "KIDNEY", "RENAL", "COLON"})) return BodyRegion::Abdomen;
  if (namesAny(t, {"ANKLE", "KNEE", "FOOT", "HAND", "WRIST", "ELBOW", "SHOULDER", "HIP", "SPINE", "EXTREM"}))
    return BodyRegion::Extremity;
  return BodyRegion::Unknown;
}

InitialDisplay chooseInitialDisplay(const std::string& modality, BodyRegion region, std::array<double, 2> valueRange) {
  InitialDisplay display;
  const std::string m = upper(modality);
  display.treatedAsCt = m == "CT" || (m.empty() && core::rangeLooksLikeHounsfield(valueRange));
  if (!display.treatedAsCt) return display;  // MR, PT, US...: the data's window, MIP in 3D
  display.preset3D = Volume3DPreset::CtBone;
  const char* name = nullptr;
  switch (region) {
    case BodyRegion::Head: name = "Brain"; break;
    case BodyRegion::Chest: name = "Lung"; break;
    case BodyRegion::Abdomen: name = "Abdomen"; break;
    case BodyRegion::Extremity: name = "Bone"; break;
    case BodyRegion::Unknown: break;
  }
  if (name == nullptr) return display;
  for (const auto& preset : ctWindowPresets()) {
    if (preset.name == name) {
      display.window = preset.window;
      display.windowPreset = preset.name;
    }
  }
  return display;
}

}  // namespace meridian::viewers
