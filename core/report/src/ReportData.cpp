#include "meridian/report/ReportData.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace meridian::report {
using core::ErrorCode;
using core::makeError;

std::size_t topLabelIndex(const Prediction& prediction) {
  return static_cast<std::size_t>(std::max_element(prediction.probabilities.begin(), prediction.probabilities.end()) -
                                  prediction.probabilities.begin());
}

core::Status validatePrediction(const Prediction& p) {
  if (p.labels.empty()) return makeError(ErrorCode::InvalidArgument, "the prediction has no labels");
  if (p.labels.size() != p.probabilities.size())
    return makeError(ErrorCode::InvalidArgument, "the prediction has " + std::to_string(p.labels.size()) +
                                                     " labels but " + std::to_string(p.probabilities.size()) +
                                                     " probabilities");
  for (std::size_t i = 0; i < p.probabilities.size(); ++i)
    if (!std::isfinite(p.probabilities[i]) || p.probabilities[i] < 0 || p.probabilities[i] > 1)
      return makeError(ErrorCode::InvalidArgument, "the probability of '" + p.labels[i] + "' is " +
                                                       std::to_string(p.probabilities[i]) + ", not a number in [0, 1]");
  if (p.modelName.empty()) return makeError(ErrorCode::InvalidArgument, "the prediction names no model");
  if (p.weightsSha256.size() != 64 || !std::all_of(p.weightsSha256.begin(), p.weightsSha256.end(),
                                                   [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
    return makeError(ErrorCode::InvalidArgument,
                     "the model's weights SHA-256 '" + p.weightsSha256 + "' is not 64 hexadecimal digits");
  return core::Ok{};
}

}  // namespace meridian::report
