#pragma once
// Rehearsal for continual pretraining: a reservoir (Vitter's algorithm R) of images seen
// so far, kept in the checkpoint. When pretraining continues on new data, a fraction of
// every batch is drawn from it, so the old images keep shaping the representation.

#include <ATen/ATen.h>

#include <cstdint>
#include <random>
#include <vector>

namespace meridian::model::ssl {

class RehearsalBuffer {
 public:
  explicit RehearsalBuffer(int capacity);

  /// Offers one image (uint8 [3, S, S]); it replaces a random entry with probability
  /// capacity / seen once the buffer is full.
  void offer(const at::Tensor& image, bool colour, std::mt19937_64& rng);

  int capacity() const { return capacity_; }
  std::int64_t size() const { return static_cast<std::int64_t>(images_.size()); }
  std::int64_t seen() const { return seen_; }
  const at::Tensor& image(std::int64_t i) const { return images_[static_cast<std::size_t>(i)]; }
  bool colour(std::int64_t i) const { return colour_[static_cast<std::size_t>(i)]; }

  // State for checkpoints: images stacked [n, 3, S, S] uint8, colour flags [n] uint8.
  at::Tensor stackedImages() const;
  at::Tensor colourFlags() const;
  /// Restores a saved reservoir; images are resized to `side` when the working size changed.
  void restore(const at::Tensor& images, const at::Tensor& colourFlags, std::int64_t seen, int side);

 private:
  int capacity_;
  std::vector<at::Tensor> images_;
  std::vector<bool> colour_;
  std::int64_t seen_ = 0;
};

}  // namespace meridian::model::ssl
