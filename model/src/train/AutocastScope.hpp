#pragma once
// bf16 autocast for a forward pass (matrix products in bf16, the rest as LibTorch's CPU
// autocast lists decide), switched off again on scope exit. Autocast state is per thread,
// so worker threads (e.g. DINO's augmentation) are not affected. Shared by fine-tuning and
// DINO so both run the same precision where the CPU has native bf16 (Precision.hpp).

#include <ATen/autocast_mode.h>

namespace meridian::model::train {

class AutocastScope {
 public:
  explicit AutocastScope(bool enabled) : enabled_(enabled) {
    if (!enabled_) return;
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
  ~AutocastScope() {
    if (!enabled_) return;
    at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
};

}  // namespace meridian::model::train
