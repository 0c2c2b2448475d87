#include "Vit.hpp"

#include <torch/nn/init.h>

#include <optional>
#include <stdexcept>

#include "InferencePatchEmbed.hpp"
#include "LinearForward.hpp"
#include "PositionEmbedding.hpp"
#include "VitInPlaceBlock.hpp"

namespace meridian::model {

VitImpl::VitImpl(const VitConfig& c) : config_(c) {
  patch_embed = register_module("patch_embed", PatchEmbed(c.patchSize, c.embedDim));
  cls_token = register_parameter("cls_token", torch::zeros({1, 1, c.embedDim}));
  if (c.registerTokens > 0)
    reg_token = register_parameter("reg_token", torch::zeros({1, c.registerTokens, c.embedDim}));
  pos_embed = register_parameter("pos_embed", torch::zeros({1, 1 + c.numPatches(), c.embedDim}));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int i = 0; i < c.depth; ++i) blocks->push_back(VitBlock(c));
  norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.embedDim}).eps(c.layerNormEps)));
  if (c.numClasses > 0) head = register_module("head", torch::nn::Linear(c.embedDim, c.numClasses));
  linears_ = std::make_shared<LinearCache>();
}

void VitImpl::initializeWeights() {
  torch::NoGradGuard noGrad;
  // LibTorch 1.13's C++ API has no trunc_normal_: a normal clamped at 2 sigma is what
  // timm's trunc_normal_(std=.02) amounts to for initialisation purposes.
  auto truncNormal = [](torch::Tensor& t, double std) { t.normal_(0.0, std).clamp_(-2 * std, 2 * std); };
  truncNormal(pos_embed, 0.02);
  cls_token.normal_(0.0, 1e-6);
  if (reg_token.defined()) reg_token.normal_(0.0, 1e-6);
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<torch::nn::Linear>()) {
      truncNormal(linear->weight, 0.02);
      if (linear->bias.defined()) linear->bias.zero_();
    }
  }
}

VitOutput VitImpl::forward(const torch::Tensor& x, bool withClsAttention, const AttentionTap* tap) {
  if (x.dim() != 4 || x.size(1) != 3) throw std::invalid_argument("ViT input must be [B, 3, H, W]");
  const int p = config_.patchSize;
  if (x.size(2) % p != 0 || x.size(3) % p != 0)
    throw std::invalid_argument("ViT input height and width must be multiples of the patch size");
  const int gridH = static_cast<int>(x.size(2) / p), gridW = static_cast<int>(x.size(3) / p);
  const auto batch = x.size(0);

  // The patch embedding runs in its weights' type (bf16 when cast), the tokens in fp32: for
  // inference as one prepared product that also adds the position embedding
  // (InferencePatchEmbed.hpp), else as the convolution.
  const auto& embed = *patch_embed->proj;
  const auto pos = interpolatePositionEmbedding(pos_embed, gridH, gridW);
  at::Tensor tokens;
  if (canEmbedPatchesAsProduct(x, embed.weight, embed.bias, cls_token, pos, *linears_)) {
    tokens = embedPatchesAsProduct(*linears_, x, embed.weight, embed.bias, cls_token, pos);
  } else {
    tokens = patch_embed(x.to(embed.weight.scalar_type())).to(cls_token.scalar_type());
    tokens = at::cat({cls_token.expand({batch, -1, -1}), tokens}, 1);
    tokens = tokens + pos;
  }
  const int prefix = 1 + config_.registerTokens;
  if (reg_token.defined())
    tokens = at::cat({tokens.slice(1, 0, 1), reg_token.expand({batch, -1, -1}), tokens.slice(1, 1)}, 1);

  VitOutput out;
  bool inPlace = false;  // whether any block ran on the inference path
  const auto depth = blocks->size();
  InPlaceScratch scratch;  // the in-place blocks' buffers, shared by all of them
  scratch.linears = linears_.get();
  for (std::size_t i = 0; i < depth; ++i) {
    const auto block = blocks->ptr<VitBlockImpl>(i);
    const bool lastWithCls = withClsAttention && i + 1 == depth;
    // Only the CLS token leaves the last block (the features are its final norm): its query,
    // projection and MLP alone, ~6% of a ViT-S/16's FLOP at 224 px (issue 19).
    const bool firstTokenOnly = i + 1 == depth && config_.pooling == VitPooling::Cls && !lastWithCls && tap == nullptr;
    if (!lastWithCls && tap == nullptr && canRunInPlace(*block, tokens, *linears_)) {
      // tokens is this pass's own tensor (made by the cat and additions above), so the
      // block may overwrite it.
      if (firstTokenOnly)
        tokens = runFirstTokenInPlace(*block, tokens, scratch);
      else
        runInPlace(*block, tokens, scratch);
      inPlace = true;
    } else if (lastWithCls || tap != nullptr) {
      torch::Tensor weights;
      tokens = block->forward(tokens, &weights);
      if (tap != nullptr) (*tap)(i, weights);
      // The CLS query's row, patch columns only: registers and CLS itself are no image region.
      if (lastWithCls) out.clsAttention = weights.select(2, 0).slice(2, prefix);
    } else if (firstTokenOnly) {
      tokens = block->forwardFirstToken(tokens);  // forward and backward
    } else {
      tokens = block->forward(tokens);
    }
  }
  // The pooled tokens' norm and the head are a few rows: after an inference pass they run on
  // this thread alone, so no OpenMP team wakes for them and then spins against the next
  // pass's pool (InferenceThreadsScope).
  std::optional<InferenceThreadsScope> serial;
  if (inPlace) serial.emplace(*linears_);
  // The final norm acts on each token alone, so only the pooled tokens go through it: with
  // CLS pooling one row per image instead of all of them.
  out.features = config_.pooling == VitPooling::Cls ? norm(tokens.select(1, 0)) : norm(tokens.slice(1, prefix)).mean(1);
  if (head) out.logits = linearForward(head, out.features);
  return out;
}

}  // namespace meridian::model
