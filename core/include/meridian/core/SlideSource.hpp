#pragma once
// A whole-slide image: a multi-resolution pyramid read region by region.
// Implementations must allow readRegion() from several threads at once.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::core {

struct SlideLevel {
  std::int64_t width = 0;
  std::int64_t height = 0;
  double downsample = 1.0;  // level-0 pixels per pixel of this level
};

class SlideSource {
 public:
  virtual ~SlideSource() = default;

  virtual std::string vendor() const = 0;
  virtual const std::vector<SlideLevel>& levels() const = 0;
  /// Microns per level-0 pixel (x, y) when the file records it.
  virtual std::optional<std::array<double, 2>> micronsPerPixel() const = 0;
  virtual const std::map<std::string, std::string>& properties() const = 0;
  virtual std::vector<std::string> associatedImageNames() const = 0;
  virtual Result<Image2D> readAssociatedImage(const std::string& name) const = 0;

  /// RGB uint8 region of `level`, (x, y) in level-0 coordinates as OpenSlide counts them,
  /// (width, height) in pixels of that level. Transparent areas come back white.
  virtual Result<Image2D> readRegion(int level, std::int64_t x, std::int64_t y, int width,
                                                 int height) const = 0;

  /// The level thumbnail(maxSide) reads whole: the smallest that is at least maxSide on its
  /// longer side, or the smallest level when none is. Needs at least one level.
  int overviewLevel(int maxSide) const;

  /// The whole slide, fitted into maxSide x maxSide, from overviewLevel(maxSide).
  Result<Image2D> thumbnail(int maxSide) const;
};

}  // namespace meridian::core
