#include "meridian/model/TissueMask.hpp"

#include <algorithm>
#include <cmath>

namespace meridian::model {

const char* toString(TissueChannel channel) {
  return channel == TissueChannel::Saturation ? "saturation" : "darkness";
}

int otsuThreshold(const std::vector<std::uint64_t>& histogram) {
  double total = 0.0, sumAll = 0.0;
  for (std::size_t v = 0; v < histogram.size(); ++v) {
    total += static_cast<double>(histogram[v]);
    sumAll += static_cast<double>(v) * static_cast<double>(histogram[v]);
  }
  if (total <= 0.0) return 0;
  double weightLow = 0.0, sumLow = 0.0, best = -1.0;
  int bestT = 0;
  for (std::size_t t = 0; t + 1 < histogram.size(); ++t) {
    weightLow += static_cast<double>(histogram[t]);
    sumLow += static_cast<double>(t) * static_cast<double>(histogram[t]);
    const double weightHigh = total - weightLow;
    if (weightLow <= 0.0 || weightHigh <= 0.0) continue;
    const double meanLow = sumLow / weightLow, meanHigh = (sumAll - sumLow) / weightHigh;
    const double between = weightLow * weightHigh * (meanLow - meanHigh) * (meanLow - meanHigh);
    if (between > best) best = between, bestT = static_cast<int>(t);
  }
  return bestT;
}

namespace {

int percentile(const std::vector<std::uint64_t>& histogram, std::uint64_t total, double q) {
  const auto target = static_cast<std::uint64_t>(q * static_cast<double>(total));
  std::uint64_t seen = 0;
  for (std::size_t v = 0; v < histogram.size(); ++v) {
    seen += histogram[v];
    if (seen > target) return static_cast<int>(v);
  }
  return 255;
}

}  // namespace

core::Result<TissueMask> computeTissueMask(const core::Image2D& thumbnail, std::int64_t level0Width,
                                           std::int64_t level0Height) {
  if (thumbnail.empty() || thumbnail.pixelType() != core::PixelType::UInt8 ||
      (thumbnail.channels() != 3 && thumbnail.channels() != 1))
    return core::makeError(core::ErrorCode::InvalidArgument, "tissue mask: the thumbnail must be uint8 RGB or grey");
  if (level0Width < 1 || level0Height < 1)
    return core::makeError(core::ErrorCode::InvalidArgument, "tissue mask: empty slide");
  const int w = thumbnail.width(), h = thumbnail.height(), c = thumbnail.channels();
  const std::size_t n = static_cast<std::size_t>(w) * h;
  std::vector<std::uint8_t> saturation(n), darkness(n);
  std::vector<std::uint64_t> satHist(256, 0), darkHist(256, 0);
  const std::uint8_t* px = thumbnail.pixels<std::uint8_t>();
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = px + i * c;
    const int hi = c == 3 ? std::max({p[0], p[1], p[2]}) : p[0];
    const int lo = c == 3 ? std::min({p[0], p[1], p[2]}) : p[0];
    const int grey = c == 3 ? (299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000 : p[0];
    saturation[i] = static_cast<std::uint8_t>(hi == 0 ? 0 : (255 * (hi - lo) + hi / 2) / hi);
    darkness[i] = static_cast<std::uint8_t>(255 - grey);
    ++satHist[saturation[i]];
    ++darkHist[darkness[i]];
  }
  TissueMask mask;
  mask.width = w, mask.height = h;
  mask.level0PerPixelX = static_cast<double>(level0Width) / w;
  mask.level0PerPixelY = static_cast<double>(level0Height) / h;
  const int spread = percentile(satHist, n, 0.99) - percentile(satHist, n, 0.01);
  mask.channel = spread >= kMinSaturationSpread ? TissueChannel::Saturation : TissueChannel::Darkness;
  const auto& values = mask.channel == TissueChannel::Saturation ? saturation : darkness;
  const auto& histogram = mask.channel == TissueChannel::Saturation ? satHist : darkHist;
  // Grey-level sums per channel value, to get the mean grey of any class {v <= t} cheaply.
  std::vector<double> greySum(256, 0.0);
  for (std::size_t i = 0; i < n; ++i) greySum[values[i]] += 255.0 - darkness[i];
  int upper = 255;  // Otsu runs on the values 0..upper (the lower class of the previous split)
  for (mask.otsuSplits = 1; mask.otsuSplits <= kMaxOtsuSplits; ++mask.otsuSplits) {
    std::vector<std::uint64_t> part(histogram.begin(), histogram.begin() + upper + 1);
    mask.threshold = otsuThreshold(part);
    double count = 0.0, grey = 0.0;
    for (int v = 0; v <= mask.threshold; ++v) count += static_cast<double>(histogram[v]), grey += greySum[v];
    if (count <= 0.0 || grey / count >= kGlassGrey || mask.threshold == 0) break;
    upper = mask.threshold;
  }
  mask.otsuSplits = std::min(mask.otsuSplits, kMaxOtsuSplits);
  mask.mask.resize(n);
  for (std::size_t i = 0; i < n; ++i) mask.mask[i] = values[i] > mask.threshold ? 1 : 0;
  return mask;
}

core::Result<TissueMask> computeTissueMask(const core::SlideSource& slide, int maxSide) {
  if (slide.levels().empty()) return core::makeError(core::ErrorCode::Corrupt, "slide has no pyramid levels");
  auto thumb = slide.thumbnail(maxSide);
  if (!thumb) return thumb.error();
  return computeTissueMask(thumb.value(), slide.levels().front().width, slide.levels().front().height);
}

double TissueMask::tissueFraction(double x, double y, double w, double h) const {
  if (width < 1 || height < 1) return 0.0;
  // Mask pixel i covers level-0 [i, i + 1) * level0PerPixel; its centre is at (i + 0.5).
  const int x0 = std::max(0, static_cast<int>(std::ceil(x / level0PerPixelX - 0.5)));
  const int x1 = std::min(width - 1, static_cast<int>(std::ceil((x + w) / level0PerPixelX - 0.5)) - 1);
  const int y0 = std::max(0, static_cast<int>(std::ceil(y / level0PerPixelY - 0.5)));
  const int y1 = std::min(height - 1, static_cast<int>(std::ceil((y + h) / level0PerPixelY - 0.5)) - 1);
  if (x1 < x0 || y1 < y0) {
    const int cx = std::clamp(static_cast<int>((x + w / 2) / level0PerPixelX), 0, width - 1);
    const int cy = std::clamp(static_cast<int>((y + h / 2) / level0PerPixelY), 0, height - 1);
    return mask[static_cast<std::size_t>(cy) * width + cx];
  }
  std::size_t tissue = 0;
  for (int yy = y0; yy <= y1; ++yy)
    for (int xx = x0; xx <= x1; ++xx) tissue += mask[static_cast<std::size_t>(yy) * width + xx];
  return static_cast<double>(tissue) / (static_cast<double>(x1 - x0 + 1) * (y1 - y0 + 1));
}

double TissueMask::coverage() const {
  if (mask.empty()) return 0.0;
  std::size_t tissue = 0;
  for (auto v : mask) tissue += v;
  return static_cast<double>(tissue) / static_cast<double>(mask.size());
}

}  // namespace meridian::model
