// Small functions of ModelService.hpp's types, compiled into the loader and the library alike.

#include "meridian/service/ModelService.hpp"

namespace meridian::service {

const char* toString(ExplainKind kind) {
  switch (kind) {
    case ExplainKind::ClsAttention: return "cls";
    case ExplainKind::Rollout: return "rollout";
    case ExplainKind::GradientAttention: return "gradcam";
  }
  return "cls";
}

std::optional<ExplainKind> parseExplainKind(const std::string& text) {
  if (text == "cls") return ExplainKind::ClsAttention;
  if (text == "rollout") return ExplainKind::Rollout;
  if (text == "gradcam") return ExplainKind::GradientAttention;
  return std::nullopt;
}

}  // namespace meridian::service
