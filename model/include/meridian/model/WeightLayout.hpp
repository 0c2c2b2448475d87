#pragma once

namespace meridian::model {

/// State-dict key layouts Meridian imports. Meridian's own checkpoints use the timm
/// layout, so Timm also reads them.
enum class WeightLayout {
  Auto,         // decided from the keys (conv_proj.* / encoder.* = torchvision, else timm)
  Torchvision,  // torchvision.models.vit_*: conv_proj, class_token, encoder.layers.encoder_layer_N...
  Timm          // timm / DINO / DINOv2: patch_embed.proj, cls_token, pos_embed, blocks.N...
};

const char* toString(WeightLayout layout);

}  // namespace meridian::model
