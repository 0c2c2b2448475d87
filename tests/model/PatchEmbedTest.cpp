// The training path's patch embedding (model/src/PatchEmbed.hpp): when autograd needs the
// weight's gradient, the stride-p convolution runs as one product of the flattened patches.
// It must give the convolution's tokens and the convolution's weight and bias gradients, for
// non-square grids and non-contiguous inputs; computed in double, so any difference beyond
// rounding is a layout error (a patch's columns or the patches' order).

#include <gtest/gtest.h>

#include <torch/torch.h>

#include "PatchEmbed.hpp"
#include "train/AutocastScope.hpp"

using namespace meridian::model;

namespace {

struct Grads {
  at::Tensor tokens, dw, db;
};

// The reference: the module's convolution, its [B, D, gh, gw] output as row-major tokens.
Grads throughConvolution(PatchEmbed& embed, const at::Tensor& x, const at::Tensor& upstream) {
  embed->zero_grad();
  const auto tokens = embed->proj(x).flatten(2).transpose(1, 2);
  tokens.backward(upstream);
  return {tokens.detach(), embed->proj->weight.grad().clone(), embed->proj->bias.grad().clone()};
}

Grads throughModule(PatchEmbed& embed, const at::Tensor& x, const at::Tensor& upstream) {
  embed->zero_grad();
  const auto tokens = embed(x);
  tokens.backward(upstream);
  return {tokens.detach(), embed->proj->weight.grad().clone(), embed->proj->bias.grad().clone()};
}

void expectSame(const Grads& got, const Grads& want) {
  ASSERT_EQ(got.tokens.sizes(), want.tokens.sizes());
  EXPECT_TRUE(at::allclose(got.tokens, want.tokens, 1e-12, 1e-12)) << (got.tokens - want.tokens).abs().max();
  EXPECT_TRUE(at::allclose(got.dw, want.dw, 1e-12, 1e-12)) << (got.dw - want.dw).abs().max();
  EXPECT_TRUE(at::allclose(got.db, want.db, 1e-12, 1e-12)) << (got.db - want.db).abs().max();
}

}  // namespace

TEST(PatchEmbedTraining, MatchesTheConvolutionAndItsGradients) {
  torch::manual_seed(3);
  PatchEmbed embed(8, 40);
  embed->to(at::kDouble);
  // 3 images of 24 x 40 px: a 3 x 5 grid, so rows and columns of patches cannot be swapped.
  const auto x = torch::randn({3, 3, 24, 40}, at::kDouble);
  const auto upstream = torch::randn({3, 15, 40}, at::kDouble);
  expectSame(throughModule(embed, x, upstream), throughConvolution(embed, x, upstream));
}

TEST(PatchEmbedTraining, TakesNonContiguousImages) {
  torch::manual_seed(4);
  PatchEmbed embed(4, 16);
  embed->to(at::kDouble);
  // Channels-last storage and a crop of a larger image: both strided views.
  const auto channelsLast = torch::randn({2, 12, 16, 3}, at::kDouble).permute({0, 3, 1, 2});
  const auto cropped = torch::randn({2, 3, 20, 24}, at::kDouble).narrow(2, 4, 12).narrow(3, 4, 16);
  const auto upstream = torch::randn({2, 12, 16}, at::kDouble);
  for (const auto& x : {channelsLast, cropped})
    expectSame(throughModule(embed, x, upstream), throughConvolution(embed, x, upstream));
}

TEST(PatchEmbedTraining, FrozenWeightsKeepTheConvolution) {
  // No weight gradient to compute: the convolution's forward, bit for bit (LoRA and linear
  // probes freeze the patch embedding).
  torch::manual_seed(5);
  PatchEmbed embed(8, 24);
  for (auto& p : embed->parameters()) p.set_requires_grad(false);
  const auto x = torch::randn({2, 3, 16, 16});
  EXPECT_TRUE(at::equal(embed(x), embed->proj(x).flatten(2).transpose(1, 2)));
}

TEST(PatchEmbedTraining, RunsInBf16UnderAutocast) {
  // Under the training loop's autocast the product is bf16, as the convolution was; its
  // values within bf16 rounding of the fp32 convolution.
  torch::manual_seed(6);
  PatchEmbed embed(16, 64);
  const auto x = torch::randn({2, 3, 32, 48});
  at::Tensor tokens;
  {
    train::AutocastScope autocast(true);
    tokens = embed(x);
  }
  EXPECT_EQ(tokens.scalar_type(), at::kBFloat16);
  torch::NoGradGuard noGrad;
  const auto reference = embed->proj(x).flatten(2).transpose(1, 2);
  const auto scale = reference.abs().max().item<double>();
  EXPECT_LT((tokens.to(at::kFloat) - reference).abs().max().item<double>(), 0.02 * scale);
}
