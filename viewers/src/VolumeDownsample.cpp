#include "meridian/viewers/VolumeDownsample.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace meridian::viewers {
namespace {

std::size_t bytesAt(const core::Volume& volume, const std::array<int, 3>& f) {
  std::size_t bytes = volume.sizeInBytes() / volume.voxelCount();  // per voxel, channels included
  for (int a = 0; a < 3; ++a) bytes *= static_cast<std::size_t>((volume.size()[a] + f[a] - 1) / f[a]);
  return bytes;
}

// Identity: the mean as it is (rounded for integers).
template <class T>
struct KeepMean {
  T operator()(double mean) const {
    if constexpr (std::is_integral_v<T>) return static_cast<T>(std::lround(mean));
    else return static_cast<T>(mean);
  }
};

// The mean mapped linearly from [low, high] onto 0..255, clamped.
struct MeanToByte {
  double low, scale;  // scale = 255 / (high - low)
  std::uint8_t operator()(double mean) const {
    return static_cast<std::uint8_t>(std::lround(std::clamp((mean - low) * scale, 0.0, 255.0)));
  }
};

// One output slice at a time: sums in `sum` (per output voxel and channel), then the mean,
// stored through `store` as an output value of type O.
template <class T, class O = T, class Store = KeepMean<T>>
void blockMean(const core::Volume& in, core::Volume& out, const std::array<int, 3>& f, Store store = {}) {
  const auto& n = in.size();
  const auto& m = out.size();
  const int c = in.channels();
  const T* src = reinterpret_cast<const T*>(in.data());
  O* dst = reinterpret_cast<O*>(out.data());
  const std::size_t outSlice = static_cast<std::size_t>(m[0]) * m[1] * c;
  std::vector<double> sum(outSlice);
  for (int ok = 0; ok < m[2]; ++ok) {
    std::fill(sum.begin(), sum.end(), 0.0);
    const int k0 = ok * f[2], k1 = std::min(n[2], k0 + f[2]);
    for (int k = k0; k < k1; ++k)
      for (int j = 0; j < n[1]; ++j) {
        const T* row = src + (static_cast<std::size_t>(k) * n[1] + j) * n[0] * c;
        double* acc = sum.data() + static_cast<std::size_t>(j / f[1]) * m[0] * c;
        for (int oi = 0, i = 0; oi < m[0]; ++oi)
          for (const int end = std::min(n[0], i + f[0]); i < end; ++i)
            for (int ch = 0; ch < c; ++ch) acc[oi * c + ch] += static_cast<double>(row[i * c + ch]);
      }
    O* slice = dst + outSlice * ok;
    for (int oj = 0; oj < m[1]; ++oj) {
      const int rows = std::min(n[1], (oj + 1) * f[1]) - oj * f[1];
      for (int oi = 0; oi < m[0]; ++oi) {
        const int cols = std::min(n[0], (oi + 1) * f[0]) - oi * f[0];
        const double count = static_cast<double>(rows) * cols * (k1 - k0);
        for (int ch = 0; ch < c; ++ch) {
          const std::size_t at = (static_cast<std::size_t>(oj) * m[0] + oi) * c + ch;
          slice[at] = store(sum[at] / count);
        }
      }
    }
  }
}

}  // namespace

std::array<int, 3> downsampleFactors(const core::Volume& volume, std::size_t maxBytes) {
  std::array<int, 3> f{1, 1, 1};
  while (bytesAt(volume, f) > maxBytes) {
    // Grow the axis whose blocks are thinnest in mm and that still has voxels to merge.
    int axis = -1;
    for (int a = 0; a < 3; ++a) {
      if (f[a] >= volume.size()[a]) continue;
      if (axis < 0 || volume.spacing[a] * f[a] < volume.spacing[axis] * f[axis]) axis = a;
    }
    if (axis < 0) break;  // one voxel left: as small as it gets
    ++f[axis];
  }
  return f;
}

namespace {

core::Result<core::Volume> allocateCopy(const core::Volume& volume, const std::array<int, 3>& factors,
                                        core::PixelType type) {
  std::array<int, 3> size{};
  for (int a = 0; a < 3; ++a) {
    if (factors[a] < 1)
      return core::makeError(core::ErrorCode::InvalidArgument, "downsampling factors must be at least 1");
    size[a] = (volume.size()[a] + factors[a] - 1) / factors[a];
  }
  return core::Volume::allocate(size, type, core::PixelBuffer::Init::Uninitialized, volume.channels());
}

// The copy lies where the volume lies: geometry, rescale and modality of `volume`.
void placeCopy(const core::Volume& volume, const std::array<int, 3>& factors, core::Volume& out) {
  // The centre of block (0, 0, 0) is the mean of its voxel centres: (f - 1) / 2 voxels in.
  const core::Vec3 firstCentre{(factors[0] - 1) / 2.0, (factors[1] - 1) / 2.0, (factors[2] - 1) / 2.0};
  out.origin = volume.indexToPhysical(firstCentre);
  for (int a = 0; a < 3; ++a) out.spacing[a] = volume.spacing[a] * factors[a];
  out.direction = volume.direction;
  out.rescaleSlope = volume.rescaleSlope;
  out.rescaleIntercept = volume.rescaleIntercept;
  out.modality = volume.modality;
}

}  // namespace

core::Result<core::Volume> downsample(const core::Volume& volume, std::array<int, 3> factors) {
  auto allocated = allocateCopy(volume, factors, volume.pixelType());
  if (!allocated) return allocated.error();
  core::Volume out = std::move(allocated).value();
  switch (volume.pixelType()) {
    case core::PixelType::UInt8: blockMean<std::uint8_t>(volume, out, factors); break;
    case core::PixelType::Int16: blockMean<std::int16_t>(volume, out, factors); break;
    case core::PixelType::UInt16: blockMean<std::uint16_t>(volume, out, factors); break;
    case core::PixelType::Float32: blockMean<float>(volume, out, factors); break;
  }
  placeCopy(volume, factors, out);
  return out;
}

core::Result<core::Volume> downsampleToBytes(const core::Volume& volume, std::array<int, 3> factors,
                                             std::array<double, 2> storedWindow) {
  if (!(storedWindow[1] > storedWindow[0]))
    return core::makeError(core::ErrorCode::InvalidArgument, "an 8-bit copy needs a window with low < high");
  auto allocated = allocateCopy(volume, factors, core::PixelType::UInt8);
  if (!allocated) return allocated.error();
  core::Volume out = std::move(allocated).value();
  const double step = (storedWindow[1] - storedWindow[0]) / 255.0;  // stored values per byte
  const MeanToByte store{storedWindow[0], 1.0 / step};
  switch (volume.pixelType()) {
    case core::PixelType::UInt8: blockMean<std::uint8_t, std::uint8_t>(volume, out, factors, store); break;
    case core::PixelType::Int16: blockMean<std::int16_t, std::uint8_t>(volume, out, factors, store); break;
    case core::PixelType::UInt16: blockMean<std::uint16_t, std::uint8_t>(volume, out, factors, store); break;
    case core::PixelType::Float32: blockMean<float, std::uint8_t>(volume, out, factors, store); break;
  }
  placeCopy(volume, factors, out);
  // byte -> stored value -> the volume's units.
  const double slope = volume.rescaleSlope != 0 ? volume.rescaleSlope : 1.0;
  out.rescaleSlope = step * slope;
  out.rescaleIntercept = storedWindow[0] * slope + volume.rescaleIntercept;
  return out;
}

std::array<double, 2> byteCopyWindow(const core::Volume& volume, std::array<double, 2> storedRange) {
  std::array<double, 2> window{std::min(storedRange[0], storedRange[1]), std::max(storedRange[0], storedRange[1])};
  const double slope = volume.rescaleSlope != 0 ? volume.rescaleSlope : 1.0;
  if (volume.modality == "CT" && slope > 0) {
    const auto stored = [&](double hu) { return (hu - volume.rescaleIntercept) / slope; };
    window = {std::max(window[0], stored(-1024.0)), std::min(window[1], stored(3071.0))};
    if (!(window[1] > window[0]))  // the whole volume outside -1024..3071 HU: its own range
      window = {std::min(storedRange[0], storedRange[1]), std::max(storedRange[0], storedRange[1])};
  }
  if (!(window[1] > window[0])) window[1] = window[0] + 1.0;  // one value throughout
  return window;
}

}  // namespace meridian::viewers
