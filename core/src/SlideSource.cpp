#include "meridian/core/SlideSource.hpp"

#include "meridian/core/DisplayMapping.hpp"

namespace meridian::core {

int SlideSource::overviewLevel(int maxSide) const {
  const auto& lv = levels();
  for (int i = static_cast<int>(lv.size()) - 1; i >= 0; --i)
    if (std::max(lv[i].width, lv[i].height) >= maxSide) return i;
  return static_cast<int>(lv.size()) - 1;
}

Result<Image2D> SlideSource::thumbnail(int maxSide) const {
  const auto& lv = levels();
  if (lv.empty()) return makeError(ErrorCode::Corrupt, "slide has no pyramid levels");
  // Never read more than kMaxReadPixels at once (a slide without a pyramid would otherwise
  // read gigapixels).
  constexpr std::int64_t kMaxReadPixels = 64LL * 1024 * 1024;
  const int chosen = overviewLevel(maxSide);
  const SlideLevel& level = lv[chosen];
  if (level.width * level.height > kMaxReadPixels)
    return makeError(ErrorCode::Unsupported,
                           "slide has no level small enough for an overview (smallest is " +
                               std::to_string(lv.back().width) + "x" + std::to_string(lv.back().height) + ")");
  auto region = readRegion(chosen, 0, 0, static_cast<int>(level.width), static_cast<int>(level.height));
  if (!region) return region.error();
  return downsampleToFit(region.value(), maxSide);
}

}  // namespace meridian::core
