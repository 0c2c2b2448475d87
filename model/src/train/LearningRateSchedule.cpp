#include "LearningRateSchedule.hpp"

#include <algorithm>
#include <cmath>

namespace meridian::model::train {

CosineWithWarmup::CosineWithWarmup(double peakLr, std::int64_t warmupSteps, std::int64_t totalSteps, double minLr)
    : peakLr_(peakLr),
      minLr_(minLr),
      warmupSteps_(std::max<std::int64_t>(0, warmupSteps)),
      totalSteps_(std::max<std::int64_t>(1, totalSteps)) {
  warmupSteps_ = std::min(warmupSteps_, totalSteps_);
}

double CosineWithWarmup::at(std::int64_t step) const {
  if (step < 0) step = 0;
  if (step < warmupSteps_) return peakLr_ * static_cast<double>(step + 1) / static_cast<double>(warmupSteps_);
  const std::int64_t decaySteps = totalSteps_ - warmupSteps_;
  // A one-step decay phase has no room for a curve: it runs at the peak.
  if (decaySteps <= 1) return peakLr_;
  // The first decay step runs at the peak, the last one (and any later) at the floor.
  const double progress = std::min(1.0, static_cast<double>(step - warmupSteps_) / static_cast<double>(decaySteps - 1));
  return minLr_ + 0.5 * (peakLr_ - minLr_) * (1.0 + std::cos(M_PI * progress));
}

}  // namespace meridian::model::train
