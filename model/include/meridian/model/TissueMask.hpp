#pragma once
// Where the tissue is on a whole slide: Otsu's threshold on the thumbnail's saturation
// (HSV S = (max - min) / max). Stained tissue is coloured and glass is near white, so
// saturation separates them better than brightness (which also picks up dark background
// and dust shadows). A slide is often three populations, glass / pale tissue (stroma,
// fat) / strongly stained tissue, and on a field mostly covered by tissue plain Otsu
// splits the two tissue classes and calls the pale one background. So the split is
// checked: the class below the threshold must look like glass (mean grey >= kGlassGrey);
// if it does not, Otsu is applied again inside that lower class (at most kMaxOtsuSplits
// times). On a slide with plenty of glass the first split already passes.
// When the thumbnail is essentially grey (saturation spread below kMinSaturationSpread:
// unstained, or rendered grey) the same is done on darkness (255 - grey). Torch-free.

#include <cstdint>
#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/SlideSource.hpp"

namespace meridian::model {

enum class TissueChannel { Saturation, Darkness };
const char* toString(TissueChannel channel);

struct TissueMask {
  int width = 0, height = 0;     // mask pixels (the thumbnail's size)
  double level0PerPixelX = 1.0;  // level-0 pixels per mask pixel
  double level0PerPixelY = 1.0;
  TissueChannel channel = TissueChannel::Saturation;
  int threshold = 0;               // 0..255 on the channel; tissue is value > threshold
  int otsuSplits = 0;              // Otsu passes until the lower class looked like glass
  std::vector<std::uint8_t> mask;  // height x width, 1 = tissue

  /// Share of tissue among the mask pixels whose centres fall inside the level-0 rectangle
  /// [x, x + w) x [y, y + h); the nearest mask pixel when none does (small patches).
  double tissueFraction(double x, double y, double w, double h) const;
  /// Share of tissue over the whole mask.
  double coverage() const;
};

/// Saturation spread (99th minus 1st percentile) under which a thumbnail counts as grey.
constexpr int kMinSaturationSpread = 20;
/// Mean grey level (0..255) at or above which the class below the threshold counts as
/// glass; scanners render empty glass at about 225-245.
constexpr double kGlassGrey = 220.0;
constexpr int kMaxOtsuSplits = 4;

/// Otsu's threshold of a 256-bin histogram: the t maximising the between-class variance
/// of {v <= t} and {v > t}.
int otsuThreshold(const std::vector<std::uint64_t>& histogram);

/// Mask of an RGB (or grey) uint8 thumbnail that spans the whole level-0 slide of
/// level0Width x level0Height pixels.
core::Result<TissueMask> computeTissueMask(const core::Image2D& thumbnail, std::int64_t level0Width,
                                           std::int64_t level0Height);

/// The slide's thumbnail (longest side maxSide) and its mask.
core::Result<TissueMask> computeTissueMask(const core::SlideSource& slide, int maxSide = 1024);

}  // namespace meridian::model
