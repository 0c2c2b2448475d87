#pragma once
// Per-step learning rate: a linear warm-up to the peak, then a cosine decay to a floor
// (the schedule of DeiT, DINO and MAE fine-tuning). Plain arithmetic, torch-free, so the
// fine-tuning loop and the DINO loop share one definition.

#include <cstdint>

namespace meridian::model::train {

class CosineWithWarmup {
 public:
  /// `warmupSteps` may be 0; `totalSteps` must be >= 1 (clamped). `minLr` is the floor the
  /// cosine reaches at the last step.
  CosineWithWarmup(double peakLr, std::int64_t warmupSteps, std::int64_t totalSteps, double minLr = 0.0);

  /// Learning rate for optimiser step `step` (0-based). Step 0 of a warm-up is peak/warmup,
  /// not 0: an update with lr 0 would be wasted. Steps past the end stay at the floor.
  double at(std::int64_t step) const;

  double peak() const { return peakLr_; }
  std::int64_t totalSteps() const { return totalSteps_; }

 private:
  double peakLr_;
  double minLr_;
  std::int64_t warmupSteps_;
  std::int64_t totalSteps_;
};

}  // namespace meridian::model::train
