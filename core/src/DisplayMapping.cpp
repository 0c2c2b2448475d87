#include "meridian/core/DisplayMapping.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "PixelAccess.hpp"

namespace meridian::core {

namespace {

// Percentiles on a strided sample: robust to a few hot pixels, cheap on big images.
WindowLevel percentiles(const std::uint8_t* data, PixelType type, std::size_t n) {
  if (n == 0) return {0.0, 1.0};
  const std::size_t stride = std::max<std::size_t>(1, n / 65536);
  std::vector<double> sample;
  sample.reserve(n / stride + 1);
  for (std::size_t i = 0; i < n; i += stride) sample.push_back(detail::componentAt(data, type, i));
  const auto at = [&](double q) {
    auto it = sample.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(sample.size() - 1));
    std::nth_element(sample.begin(), it, sample.end());
    return *it;
  };
  const double lo = at(0.005), hi = at(0.995);
  const double width = std::max(hi - lo, 1e-6);
  return {lo + width / 2.0, width};
}

}  // namespace

WindowLevel percentileWindow(const Image2D& image) {
  return percentiles(image.data(), image.pixelType(),
                     static_cast<std::size_t>(image.width()) * image.height() * image.channels());
}

WindowLevel percentileWindow(const Volume& volume) {
  return percentiles(volume.data(), volume.pixelType(), volume.voxelCount() * static_cast<std::size_t>(volume.channels()));
}

WindowLevel defaultWindow(const Image2D& image) {
  if (image.displayWindow) return *image.displayWindow;
  if (image.pixelType() == PixelType::UInt8) return {127.5, 255.0};
  return percentileWindow(image);
}

Image2D applyWindow(const Image2D& image, const WindowLevel& window) {
  Image2D out = Image2D::allocate(image.width(), image.height(), image.channels(), PixelType::UInt8).value();
  out.spacing = image.spacing;
  out.photometric = image.photometric;
  const double lo = window.center - window.width / 2.0;
  const double scale = 255.0 / std::max(window.width, 1e-12);
  // MONOCHROME1 (many radiographs) stores bright as low: display it inverted.
  const bool invert = image.photometric == "MONOCHROME1";
  const std::size_t n = out.sizeInBytes();
  detail::dispatch(image.pixelType(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = image.pixels<T>();
    std::uint8_t* dst = out.data();
    for (std::size_t i = 0; i < n; ++i) {
      const double v = (static_cast<double>(in[i]) - lo) * scale;
      const long mapped = std::clamp(std::lround(v), 0L, 255L);
      dst[i] = static_cast<std::uint8_t>(invert ? 255 - mapped : mapped);
    }
    return 0;
  });
  return out;
}

Image2D downsampleToFit(const Image2D& image, int maxSide) {
  const int longest = std::max(image.width(), image.height());
  if (maxSide <= 0 || longest <= maxSide) return image;
  const double factor = static_cast<double>(longest) / maxSide;
  const int w = std::max(1, static_cast<int>(std::lround(image.width() / factor)));
  const int h = std::max(1, static_cast<int>(std::lround(image.height() / factor)));
  Image2D out = Image2D::allocate(w, h, image.channels(), image.pixelType()).value();
  out.photometric = image.photometric;
  out.displayWindow = image.displayWindow;
  if (image.spacing) out.spacing = std::array<double, 2>{(*image.spacing)[0] * image.width() / w,
                                                          (*image.spacing)[1] * image.height() / h};
  const int c = image.channels();
  detail::dispatch(image.pixelType(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = image.pixels<T>();
    T* dst = out.pixels<T>();
    std::vector<double> acc(static_cast<std::size_t>(c));
    for (int y = 0; y < h; ++y) {
      const int y0 = y * image.height() / h, y1 = std::max(y0 + 1, (y + 1) * image.height() / h);
      for (int x = 0; x < w; ++x) {
        const int x0 = x * image.width() / w, x1 = std::max(x0 + 1, (x + 1) * image.width() / w);
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int yy = y0; yy < y1; ++yy)
          for (int xx = x0; xx < x1; ++xx)
            for (int k = 0; k < c; ++k) acc[k] += in[(static_cast<std::size_t>(yy) * image.width() + xx) * c + k];
        const double count = static_cast<double>(y1 - y0) * (x1 - x0);
        for (int k = 0; k < c; ++k) {
          const double mean = acc[k] / count;
          T& target = dst[(static_cast<std::size_t>(y) * w + x) * c + k];
          if constexpr (std::is_integral_v<T>) target = static_cast<T>(std::lround(mean));
          else target = static_cast<T>(mean);
        }
      }
    }
    return 0;
  });
  return out;
}

}  // namespace meridian::core
