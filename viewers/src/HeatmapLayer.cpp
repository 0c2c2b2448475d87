#include "meridian/viewers/HeatmapLayer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace meridian::viewers {
namespace {

using core::Mat3;
using core::Vec3;

Vec3 multiply(const Mat3& m, const Vec3& v) {
  return {m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
          m[6] * v[0] + m[7] * v[1] + m[8] * v[2]};
}

Vec3 subtract(const Vec3& a, const Vec3& b) {
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}

// direction * diag(spacing): voxel index -> physical offset from the origin.
Mat3 indexToPhysical(const Mat3& direction, const Vec3& spacing) {
  Mat3 m{};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) m[r * 3 + c] = direction[r * 3 + c] * spacing[c];
  return m;
}

std::optional<Mat3> inverse(const Mat3& m) {
  const double det =
      m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  if (!std::isfinite(det) || std::abs(det) < 1e-12) return std::nullopt;
  const double s = 1.0 / det;
  return Mat3{(m[4] * m[8] - m[5] * m[7]) * s, (m[2] * m[7] - m[1] * m[8]) * s, (m[1] * m[5] - m[2] * m[4]) * s,
              (m[5] * m[6] - m[3] * m[8]) * s, (m[0] * m[8] - m[2] * m[6]) * s, (m[2] * m[3] - m[0] * m[5]) * s,
              (m[3] * m[7] - m[4] * m[6]) * s, (m[1] * m[6] - m[0] * m[7]) * s, (m[0] * m[4] - m[1] * m[3]) * s};
}

std::string describeBox(const std::array<double, 6>& box, int dims, const char* units) {
  std::ostringstream text;
  text.precision(6);
  const char* axes = "xyz";
  for (int a = 0; a < dims; ++a) text << (a ? ", " : "") << axes[a] << " " << box[a] << ".." << box[a + 3];
  text << " " << units;
  return text.str();
}

std::uint8_t byte(double v) {
  return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
}

}  // namespace

core::Status HeatmapLayer::setMap(core::Volume map) {
  if (map.voxelCount() == 0) return core::makeError(core::ErrorCode::InvalidArgument, "the heatmap is empty");
  if (map.pixelType() != core::PixelType::Float32 || map.channels() != 1)
    return core::makeError(core::ErrorCode::Unsupported,
                           std::string("a heatmap is one channel of float32 values, this one has ") +
                               std::to_string(map.channels()) + " channel(s) of " + core::toString(map.pixelType()));
  for (double s : map.spacing)
    if (!std::isfinite(s) || !(s > 0))
      return core::makeError(core::ErrorCode::InvalidArgument, "the heatmap's spacing must be positive and finite");
  const auto toIndex = inverse(indexToPhysical(map.direction, map.spacing));
  if (!toIndex) return core::makeError(core::ErrorCode::InvalidArgument, "the heatmap's direction matrix is singular");
  const float* values = reinterpret_cast<const float*>(map.data());
  float lo = std::numeric_limits<float>::infinity(), hi = -std::numeric_limits<float>::infinity();
  for (std::size_t i = 0; i < map.voxelCount(); ++i)
    if (std::isfinite(values[i])) {
      lo = std::min(lo, values[i]);
      hi = std::max(hi, values[i]);
    }
  if (!(lo <= hi)) return core::makeError(core::ErrorCode::InvalidArgument, "the heatmap holds no finite value");
  map_ = std::move(map);
  physicalToIndex_ = *toIndex;
  hasMap_ = true;
  dataRange_ = {lo, hi};
  range_ = dataRange_;
  threshold_.reset();
  return core::Ok{};
}

void HeatmapLayer::clear() {
  map_ = core::Volume();
  hasMap_ = false;
}

void HeatmapLayer::setOpacity(double opacity) {
  opacity_ = std::clamp(std::isfinite(opacity) ? opacity : 0.0, 0.0, 1.0);
}

void HeatmapLayer::setValueRange(double low, double high) {
  if (!std::isfinite(low) || !std::isfinite(high)) return;
  range_ = {std::min(low, high), std::max(low, high)};
}

std::array<double, 6> HeatmapLayer::extent() const {
  std::array<double, 6> box{0, 0, 0, 0, 0, 0};
  if (!hasMap_) return box;
  const auto& n = map_.size();
  for (int a = 0; a < 3; ++a) box[a] = std::numeric_limits<double>::infinity(), box[a + 3] = -box[a];
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3 index{corner & 1 ? n[0] - 0.5 : -0.5, corner & 2 ? n[1] - 0.5 : -0.5, corner & 4 ? n[2] - 0.5 : -0.5};
    const Vec3 p = map_.indexToPhysical(index);
    for (int a = 0; a < 3; ++a) box[a] = std::min(box[a], p[a]), box[a + 3] = std::max(box[a + 3], p[a]);
  }
  return box;
}

core::Status HeatmapLayer::checkFits(int imageWidth, int imageHeight) const {
  if (!hasMap_) return core::makeError(core::ErrorCode::InvalidArgument, "no heatmap to check");
  if (imageWidth < 1 || imageHeight < 1) return core::makeError(core::ErrorCode::InvalidArgument, "no image");
  return checkFitsInIndexSpace({imageWidth, imageHeight, 0}, core::kIdentity3, {0, 0, 0}, "pixels");
}

core::Status HeatmapLayer::checkFits(const core::Volume& image) const {
  if (!hasMap_) return core::makeError(core::ErrorCode::InvalidArgument, "no heatmap to check");
  if (image.voxelCount() == 0) return core::makeError(core::ErrorCode::InvalidArgument, "no volume");
  const auto toImageIndex = inverse(indexToPhysical(image.direction, image.spacing));
  if (!toImageIndex) return core::makeError(core::ErrorCode::InvalidArgument, "the volume's geometry is singular");
  return checkFitsInIndexSpace(image.size(), *toImageIndex, image.origin, "voxels");
}

// size[2] == 0 checks x and y only (a 2D image).
core::Status HeatmapLayer::checkFitsInIndexSpace(const std::array<int, 3>& size, const Mat3& toImageIndex,
                                                 const Vec3& imageOrigin, const char* units) const {
  const int dims = size[2] == 0 ? 2 : 3;
  const auto& n = map_.size();
  std::array<double, 6> box{};
  for (int a = 0; a < 3; ++a) box[a] = std::numeric_limits<double>::infinity(), box[a + 3] = -box[a];
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3 index{corner & 1 ? n[0] - 0.5 : -0.5, corner & 2 ? n[1] - 0.5 : -0.5, corner & 4 ? n[2] - 0.5 : -0.5};
    const Vec3 p = multiply(toImageIndex, subtract(map_.indexToPhysical(index), imageOrigin));
    for (int a = 0; a < 3; ++a) box[a] = std::min(box[a], p[a]), box[a + 3] = std::max(box[a + 3], p[a]);
  }
  // One map cell, measured along each image axis: how far a straddling edge cell may overhang.
  const Mat3 cellToImage = [&] {
    Mat3 m{};
    const Mat3 cellAxes = indexToPhysical(map_.direction, map_.spacing);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c)
        for (int k = 0; k < 3; ++k) m[r * 3 + c] += toImageIndex[r * 3 + k] * cellAxes[k * 3 + c];
    return m;
  }();
  bool fits = true;
  for (int a = 0; a < dims; ++a) {
    double cellSize = 0;
    for (int c = 0; c < 3; ++c) cellSize = std::max(cellSize, std::abs(cellToImage[a * 3 + c]));
    const double slack = cellSize * (1.0 - 1e-6);
    fits = fits && box[a] >= -0.5 - slack && box[a + 3] <= size[a] - 0.5 + slack;
  }
  if (fits) return core::Ok{};
  std::array<double, 6> image{-0.5, -0.5, -0.5, size[0] - 0.5, size[1] - 0.5, size[2] - 0.5};
  std::ostringstream text;
  text << "the heatmap (" << n[0] << "x" << n[1];
  if (dims == 3) text << "x" << n[2];
  text << " cells) does not fit the image: it covers " << describeBox(box, dims, units) << ", the image "
       << describeBox(image, dims, units);
  return core::makeError(core::ErrorCode::InvalidArgument, text.str());
}

Vec3 HeatmapLayer::toIndex(const Vec3& position) const {
  return multiply(physicalToIndex_, subtract(position, map_.origin));
}

float HeatmapLayer::cell(int i, int j, int k) const {
  const auto& n = map_.size();
  const std::size_t offset = (static_cast<std::size_t>(k) * n[1] + j) * n[0] + i;
  return reinterpret_cast<const float*>(map_.data())[offset];
}

std::optional<float> HeatmapLayer::sample(const Vec3& position, Interpolation interpolation) const {
  if (!hasMap_) return std::nullopt;
  return sampleIndex(toIndex(position), interpolation);
}

std::optional<float> HeatmapLayer::sampleIndex(const Vec3& index, Interpolation interpolation) const {
  const auto& n = map_.size();
  for (int a = 0; a < 3; ++a)
    if (!(index[a] >= -0.5 && index[a] < n[a] - 0.5)) return std::nullopt;
  if (interpolation == Interpolation::Nearest) {
    const float v = cell(std::clamp(static_cast<int>(std::lround(index[0])), 0, n[0] - 1),
                         std::clamp(static_cast<int>(std::lround(index[1])), 0, n[1] - 1),
                         std::clamp(static_cast<int>(std::lround(index[2])), 0, n[2] - 1));
    return std::isfinite(v) ? std::optional<float>(v) : std::nullopt;
  }
  std::array<int, 3> lo{};
  std::array<double, 3> f{};
  for (int a = 0; a < 3; ++a) {
    const double fl = std::floor(index[a]);
    lo[a] = static_cast<int>(fl);
    f[a] = index[a] - fl;
  }
  // Missing cells (NaN: no score for that tile) drop out and the others are renormalised,
  // so a hole does not eat its neighbours' values.
  double sum = 0, weights = 0;
  for (int corner = 0; corner < 8; ++corner) {
    const int di = corner & 1, dj = (corner >> 1) & 1, dk = (corner >> 2) & 1;
    const double w = (di ? f[0] : 1 - f[0]) * (dj ? f[1] : 1 - f[1]) * (dk ? f[2] : 1 - f[2]);
    if (w <= 0) continue;
    const float v = cell(std::clamp(lo[0] + di, 0, n[0] - 1), std::clamp(lo[1] + dj, 0, n[1] - 1),
                         std::clamp(lo[2] + dk, 0, n[2] - 1));
    if (!std::isfinite(v)) continue;
    sum += w * v;
    weights += w;
  }
  if (!(weights > 1e-9)) return std::nullopt;
  return static_cast<float>(sum / weights);
}

std::array<std::uint8_t, 4> HeatmapLayer::colorFor(float value) const {
  if (!std::isfinite(value) || (threshold_ && value < *threshold_)) return {0, 0, 0, 0};
  const double span = range_[1] - range_[0];
  const double t = span > 0 ? (value - range_[0]) / span : (value >= range_[0] ? 1.0 : 0.0);
  const auto rgb = core::colorAt(colorMap_, t);
  const double a = opacity_ * 255.0;
  return {byte(rgb[0] * opacity_), byte(rgb[1] * opacity_), byte(rgb[2] * opacity_), byte(a)};
}

std::vector<float> HeatmapLayer::sampleGrid(const SamplingGrid& grid, Interpolation interpolation) const {
  const int w = std::max(grid.width, 0), h = std::max(grid.height, 0);
  std::vector<float> out(static_cast<std::size_t>(w) * h, std::numeric_limits<float>::quiet_NaN());
  if (!hasMap_) return out;
  // Step through the map's index space directly: one matrix product per buffer, not per pixel.
  const Vec3 base = toIndex(grid.origin);
  const Vec3 du = multiply(physicalToIndex_, grid.stepU), dv = multiply(physicalToIndex_, grid.stepV);
  for (int v = 0; v < h; ++v) {
    float* row = out.data() + static_cast<std::size_t>(v) * w;
    for (int u = 0; u < w; ++u) {
      const Vec3 index{base[0] + u * du[0] + v * dv[0], base[1] + u * du[1] + v * dv[1],
                       base[2] + u * du[2] + v * dv[2]};
      if (const auto value = sampleIndex(index, interpolation)) row[u] = *value;
    }
  }
  return out;
}

std::vector<std::uint8_t> HeatmapLayer::colorize(const std::vector<float>& values) const {
  std::vector<std::uint8_t> out(values.size() * 4, 0);
  if (!hasMap_ || opacity_ <= 0) return out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto rgba = colorFor(values[i]);  // NaN -> transparent
    std::copy(rgba.begin(), rgba.end(), out.data() + i * 4);
  }
  return out;
}

std::vector<std::uint8_t> HeatmapLayer::renderRgba(const SamplingGrid& grid, Interpolation interpolation) const {
  if (!hasMap_ || opacity_ <= 0) return std::vector<std::uint8_t>(static_cast<std::size_t>(std::max(grid.width, 0)) * std::max(grid.height, 0) * 4, 0);
  return colorize(sampleGrid(grid, interpolation));
}

std::vector<std::uint8_t> HeatmapLayer::renderRgba(const ImageRegion& region, int outWidth, int outHeight,
                                                   Interpolation interpolation) const {
  SamplingGrid grid;
  grid.width = std::max(outWidth, 0);
  grid.height = std::max(outHeight, 0);
  const double sx = grid.width > 0 ? region.width / grid.width : 0,
               sy = grid.height > 0 ? region.height / grid.height : 0;
  grid.origin = {region.left + sx / 2, region.top + sy / 2, 0.0};
  grid.stepU = {sx, 0, 0};
  grid.stepV = {0, sy, 0};
  return renderRgba(grid, interpolation);
}

}  // namespace meridian::viewers
