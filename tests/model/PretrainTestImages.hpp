#pragma once
// Real training images for the DINO tests: tiles of skimage's fundus photograph and IHC
// slide crop, and pydicom's CT slice (decoded by the Python peer into
// real_images.safetensors, see make_real_images.py), plus a tiny ViT that trains in
// milliseconds per step.

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "GoldenData.hpp"
#include "meridian/core/Image2D.hpp"
#include "meridian/model/DinoOptions.hpp"
#include "meridian/model/VitConfig.hpp"

namespace meridian::model::test {

/// A `size` x `size` tile at (x, y) of an HWC 8-bit RGB tensor, or of a HU slice.
inline core::Image2D tileOf(const FloatTensor& t, int x, int y, int size) {
  const int w = static_cast<int>(t.shape[1]);
  if (t.shape.size() == 3) {
    auto image = core::Image2D::allocate(size, size, 3, core::PixelType::UInt8).value();
    for (int r = 0; r < size; ++r)
      for (int c = 0; c < size * 3; ++c)
        image.pixels<std::uint8_t>()[r * size * 3 + c] =
            static_cast<std::uint8_t>(t.data[static_cast<std::size_t>((y + r) * w * 3 + x * 3 + c)]);
    image.photometric = "RGB";
    return image;
  }
  auto image = core::Image2D::allocate(size, size, 1, core::PixelType::Float32).value();
  for (int r = 0; r < size; ++r)
    std::memcpy(image.pixels<float>() + r * size, t.data.data() + (y + r) * w + x, size * sizeof(float));
  image.photometric = "MONOCHROME2";
  image.displayWindow = core::WindowLevel{40.0, 400.0};
  return image;
}

/// `count` real tiles (fundus, IHC, CT in turn), `offset` shifting where they are cut.
inline std::vector<core::Image2D> realTiles(int count, int offset = 0) {
  auto file = SafeTensorsFile::open(goldenDir() / "real_images.safetensors");
  if (!file) {
    ADD_FAILURE() << file.error().describe();
    return {};
  }
  const auto retina = readFloatTensor(file.value(), "retina");
  const auto ihc = readFloatTensor(file.value(), "ihc");
  const auto ct = readFloatTensor(file.value(), "ct");
  std::vector<core::Image2D> images;
  for (int i = 0; i < count; ++i) {
    const int k = i / 3 + offset;
    switch (i % 3) {
      case 0:
        images.push_back(tileOf(retina, 300 + 97 * (k % 8), 300 + 61 * (k % 7), 256));
        break;
      case 1:
        images.push_back(tileOf(ihc, 23 * (k % 9), 37 * (k % 8), 160));
        break;
      default:
        images.push_back(tileOf(ct, 5 * (k % 6), 7 * (k % 5), 96));
    }
  }
  return images;
}

inline VitConfig tinyVit() {
  VitConfig c;
  c.imageSize = 32;
  c.patchSize = 8;
  c.embedDim = 32;
  c.depth = 2;
  c.heads = 2;
  c.numClasses = 0;
  return c;
}

inline DinoOptions tinyDino() {
  DinoOptions o;
  o.localCrops = 2;
  o.localCropSize = 16;
  o.prototypes = 64;
  o.headHidden = 64;
  o.headBottleneck = 32;
  o.batchSize = 4;
  o.epochs = 2;
  o.seed = 11;
  o.dataSha256 = "tiles-v1";
  return o;
}

}  // namespace meridian::model::test
