#include "RehearsalBuffer.hpp"

#include "MultiCropAugmenter.hpp"

namespace meridian::model::ssl {

RehearsalBuffer::RehearsalBuffer(int capacity) : capacity_(capacity) {}

void RehearsalBuffer::offer(const at::Tensor& image, bool colour, std::mt19937_64& rng) {
  ++seen_;
  if (size() < capacity_) {
    images_.push_back(image.clone());
    colour_.push_back(colour);
    return;
  }
  const auto slot = static_cast<std::int64_t>(uniform01(rng) * static_cast<double>(seen_));
  if (slot < capacity_) {
    images_[static_cast<std::size_t>(slot)] = image.clone();
    colour_[static_cast<std::size_t>(slot)] = colour;
  }
}

at::Tensor RehearsalBuffer::stackedImages() const {
  return images_.empty() ? at::zeros({0}, at::kByte) : at::stack(images_);
}

at::Tensor RehearsalBuffer::colourFlags() const {
  auto flags = at::zeros({size()}, at::kByte);
  for (std::int64_t i = 0; i < size(); ++i) flags[i] = colour_[static_cast<std::size_t>(i)] ? 1 : 0;
  return flags;
}

void RehearsalBuffer::restore(const at::Tensor& images, const at::Tensor& colourFlags, std::int64_t seen, int side) {
  images_.clear();
  colour_.clear();
  seen_ = seen;
  if (images.dim() != 4) return;
  const auto count = std::min<std::int64_t>(images.size(0), capacity_);
  for (std::int64_t i = 0; i < count; ++i) {
    auto img = images[i];
    if (img.size(1) != side || img.size(2) != side)
      img = at::upsample_bilinear2d(img.unsqueeze(0).to(at::kFloat), {side, side}, false)
                .squeeze(0)
                .round()
                .clamp(0, 255)
                .to(at::kByte);
    images_.push_back(img.contiguous());
    colour_.push_back(colourFlags[i].item<std::uint8_t>() != 0);
  }
}

}  // namespace meridian::model::ssl
