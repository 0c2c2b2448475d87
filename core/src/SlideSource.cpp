#include "meridian/core/SlideSource.hpp"

#include "meridian/core/DisplayMapping.hpp"

namespace meridian::core {

Result<Image2D> SlideSource::thumbnail(int maxSide) const {
  const auto& lv = levels();
  if (lv.empty()) return makeError(ErrorCode::Corrupt, "slide has no pyramid levels");
  // Pick the smallest level that still covers maxSide, but never read more than
  // kMaxReadPixels at once (a slide without a pyramid would otherwise read gigapixels).
  constexpr std::int64_t kMaxReadPixels = 64LL * 1024 * 1024;
  int chosen = static_cast<int>(lv.size()) - 1;
  for (int i = chosen; i >= 0; --i) {
    if (std::max(lv[i].width, lv[i].height) >= maxSide) { chosen = i; break; }
  }
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
