#include "InferencePatchEmbed.hpp"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <cstring>

#include "Bf16Bits.hpp"
#include "ChunkPool.hpp"

namespace meridian::model {
namespace {

inline void store(float* out, const float* in, std::int64_t count) { std::memcpy(out, in, count * sizeof(float)); }
inline void store(std::uint16_t* out, const float* in, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) out[i] = bf16Bits(in[i]);
}

// One row of the patch matrix per patch, its columns in the weight's (channel, y, x) order.
// One chunk per row of patches of one image: the p image rows it reads are adjacent.
template <typename Out>
void layOutPatches(const float* x, std::int64_t batch, std::int64_t channels, std::int64_t height, std::int64_t width,
                   std::int64_t p, Out* patches) {
  const std::int64_t gridH = height / p, gridW = width / p, k = channels * p * p;
  runChunks(static_cast<int>(batch * gridH), [&](int c) {
    const std::int64_t image = c / gridH, gy = c % gridH;
    for (std::int64_t gx = 0; gx < gridW; ++gx) {
      Out* row = patches + ((image * gridH + gy) * gridW + gx) * k;
      for (std::int64_t ch = 0; ch < channels; ++ch)
        for (std::int64_t y = 0; y < p; ++y)
          store(row + (ch * p + y) * p, x + ((image * channels + ch) * height + gy * p + y) * width + gx * p, p);
    }
  });
}

}  // namespace

bool canEmbedPatchesAsProduct(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                              const at::Tensor& cls, const at::Tensor& pos, const LinearCache& linears) {
  const auto type = weight.scalar_type();
  return !torch::GradMode::is_enabled() && !at::autocast::is_cpu_enabled() && x.device().is_cpu() &&
         x.scalar_type() == at::kFloat && x.dim() == 4 && weight.dim() == 4 && weight.is_contiguous() &&
         weight.device().is_cpu() && (type == at::kFloat || (type == at::kBFloat16 && linears.takesBf16())) &&
         (!bias.defined() || bias.scalar_type() == type) && cls.scalar_type() == at::kFloat &&
         pos.scalar_type() == at::kFloat;
}

at::Tensor embedPatchesAsProduct(LinearCache& linears, const at::Tensor& x, const at::Tensor& weight,
                                 const at::Tensor& bias, const at::Tensor& cls, const at::Tensor& pos) {
  const auto input = x.contiguous();
  const std::int64_t batch = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3);
  const std::int64_t d = weight.size(0), p = weight.size(2), k = channels * p * p;
  const std::int64_t n = (height / p) * (width / p), tokens = 1 + n;
  auto patches = at::empty({batch * n, k}, x.options().dtype(weight.scalar_type()));
  if (patches.scalar_type() == at::kFloat)
    layOutPatches(input.data_ptr<float>(), batch, channels, height, width, p, patches.data_ptr<float>());
  else
    layOutPatches(input.data_ptr<float>(), batch, channels, height, width, p,
                  static_cast<std::uint16_t*>(patches.data_ptr()));

  // Each image's tokens start as the position embedding (CLS: plus the CLS token); the
  // product then adds conv(x) + bias into the patch rows.
  auto out = at::empty({batch, tokens, d}, x.options());
  const auto posRows = pos.reshape({tokens, d}).contiguous();
  const auto clsRow = cls.reshape({d}).contiguous();
  const float* posData = posRows.data_ptr<float>();
  const float* clsData = clsRow.data_ptr<float>();
  for (std::int64_t image = 0; image < batch; ++image) {
    float* rows = out.data_ptr<float>() + image * tokens * d;
    for (std::int64_t i = 0; i < d; ++i) rows[i] = clsData[i] + posData[i];
    std::memcpy(rows + d, posData + d, n * d * sizeof(float));
    auto patchRows = out[image].narrow(0, 1, n);
    inferenceLinear(linears, patches.narrow(0, image * n, n), weight, bias, patchRows, LinearEpilogue::BiasAccumulate);
  }
  return out;
}

}  // namespace meridian::model
