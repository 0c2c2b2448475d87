#include "meridian/model/PreprocessConfig.hpp"

namespace meridian::model {

const char* toString(InputModality modality) {
  switch (modality) {
    case InputModality::Any:
      return "any";
    case InputModality::CT:
      return "ct";
    case InputModality::Grayscale:
      return "grayscale";
    case InputModality::Color:
      return "color";
  }
  return "any";
}

std::optional<InputModality> parseInputModality(const std::string& text) {
  for (auto m : {InputModality::Any, InputModality::CT, InputModality::Grayscale, InputModality::Color})
    if (text == toString(m)) return m;
  return std::nullopt;
}

std::optional<HuWindow> ctWindowPreset(const std::string& name) {
  struct Named {
    const char* name;
    HuWindow window;
  };
  static const Named presets[] = {{"lung", {-600.0, 1500.0}}, {"mediastinum", {40.0, 400.0}},
                                  {"bone", {400.0, 1800.0}},  {"brain", {40.0, 80.0}},
                                  {"liver", {60.0, 160.0}},   {"soft-tissue", {50.0, 350.0}}};
  for (const auto& p : presets)
    if (name == p.name) return p.window;
  return std::nullopt;
}

}  // namespace meridian::model
