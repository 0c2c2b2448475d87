#include "MetricText.hpp"

#include <cstdio>

namespace meridian::app {

nlohmann::json intervalJson(const model::MetricValue& m) { return nlohmann::json::array({m.ciLow, m.ciHigh}); }

std::string withInterval(const model::MetricValue& m, int digits) {
  char text[96];
  std::snprintf(text, sizeof text, "%.*f [%.*f, %.*f]", digits, m.value, digits, m.ciLow, digits, m.ciHigh);
  return text;
}

}  // namespace meridian::app
