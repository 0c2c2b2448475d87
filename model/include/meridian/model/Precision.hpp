#pragma once
// Compute precision of the ViT forward pass (torch-free: ui/ and app/ offer the choice).
// BFloat16 runs the matrix products (patch embedding, qkv, attention, MLP) in bf16 and
// keeps the residual stream, LayerNorm, softmax and the head in fp32. It is used only
// where the CPU computes bf16 natively (AVX-512-BF16 or AMX); elsewhere bf16 is emulated
// and slower than fp32, so the model stays in fp32 and says why.

#include <string>

namespace meridian::model {

enum class Precision { Float32, BFloat16 };

const char* toString(Precision precision);

struct Bf16Support {
  bool available = false;
  std::string reason;  // which CPU flag enabled it, or why it is off
};

/// What this machine offers (read once from /proc/cpuinfo; MERIDIAN_DISABLE_BF16=1 turns
/// bf16 off, e.g. to compare with fp32 on the same machine).
const Bf16Support& bf16Support();

/// The decision from a /proc/cpuinfo text (separate so tests can feed other CPUs).
Bf16Support bf16SupportFromCpuInfo(const std::string& cpuinfo);

/// Outcome of VitModel::setPrecision: what was asked, what runs, and why they differ.
struct PrecisionChoice {
  Precision requested = Precision::Float32;
  Precision active = Precision::Float32;
  std::string reason;
};

}  // namespace meridian::model
