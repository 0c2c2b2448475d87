#include "meridian/viewers/VolumeLabelMap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "meridian/viewers/MprGeometry.hpp"

namespace meridian::viewers {
namespace {

// Segmentations number their classes from 1 (TotalSegmentator: 117 classes); a colour per
// class is kept, so the indices must stay within reason.
constexpr int kMaxLabel = 65535;

// The largest value, or -1 when a value is negative, fractional or not finite (the first
// such value is reported through `bad`).
template <class T>
double scanLabels(const T* values, std::size_t count, double& bad) {
  double top = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const double v = static_cast<double>(values[i]);
    if (!std::isfinite(v) || v < 0 || v != std::floor(v)) {
      bad = v;
      return -1;
    }
    top = std::max(top, v);
  }
  return top;
}

double scanLabels(const core::Volume& labels, double& bad) {
  const std::size_t n = labels.voxelCount();
  switch (labels.pixelType()) {
    case core::PixelType::UInt8:
      return scanLabels(reinterpret_cast<const std::uint8_t*>(labels.data()), n, bad);
    case core::PixelType::Int16:
      return scanLabels(reinterpret_cast<const std::int16_t*>(labels.data()), n, bad);
    case core::PixelType::UInt16:
      return scanLabels(reinterpret_cast<const std::uint16_t*>(labels.data()), n, bad);
    case core::PixelType::Float32:
      return scanLabels(reinterpret_cast<const float*>(labels.data()), n, bad);
  }
  return -1;
}

std::string describeBox(const std::array<double, 6>& box) {
  std::ostringstream text;
  text.precision(5);
  text << "i " << box[0] << ".." << box[3] << ", j " << box[1] << ".." << box[4] << ", k " << box[2] << ".." << box[5];
  return text.str();
}

template <class T>
void sampleTyped(const T* values, const std::array<int, 3>& n, const core::Vec3& base, const core::Vec3& du,
                 const core::Vec3& dv, int width, int height, std::int32_t* out) {
  for (int v = 0; v < height; ++v)
    for (int u = 0; u < width; ++u, ++out) {
      std::array<long, 3> at{};
      bool inside = true;
      for (int a = 0; a < 3 && inside; ++a) {
        const double index = base[a] + u * du[a] + v * dv[a];
        inside = index >= -0.5 && index < n[a] - 0.5;
        at[a] = std::clamp(std::lround(index), 0L, static_cast<long>(n[a] - 1));
      }
      *out = inside ? static_cast<std::int32_t>(values[(static_cast<std::size_t>(at[2]) * n[1] + at[1]) * n[0] + at[0]])
                    : 0;
    }
}

}  // namespace

core::Status VolumeLabelMap::set(core::Volume labels, const core::Volume& image, std::vector<std::string> names) {
  if (image.voxelCount() == 0)
    return core::makeError(core::ErrorCode::InvalidArgument, "no volume to put the label map on");
  return set(std::move(labels), VolumeGeometry::of(image), std::move(names), "volume", "voxel", 0.5);
}

core::Status VolumeLabelMap::set(core::Volume labels, const VolumeGeometry& target, std::vector<std::string> names,
                                 const std::string& what, const std::string& units, double overhangCells) {
  if (labels.voxelCount() == 0) return core::makeError(core::ErrorCode::InvalidArgument, "the label map is empty");
  if (labels.channels() != 1)
    return core::makeError(core::ErrorCode::Unsupported, "a label map has one channel of class indices, this one has " +
                                                             std::to_string(labels.channels()));
  const VolumeGeometry geometry = VolumeGeometry::of(labels);
  if (auto valid = geometry.validate(); !valid)
    return core::makeError(core::ErrorCode::InvalidArgument, "the label map's geometry: " + valid.error().message);
  if (!target.validate())
    return core::makeError(core::ErrorCode::InvalidArgument, "no " + what + " to put the label map on");

  // The label map's outer voxel edges, in the image's voxel index space. A coarser grid
  // whose voxels straddle the image's border may overhang by up to half a label voxel;
  // more means the map belongs to another image (or another crop of it).
  std::array<double, 6> box{};
  for (int a = 0; a < 3; ++a) box[a] = std::numeric_limits<double>::infinity(), box[a + 3] = -box[a];
  const auto& n = labels.size();
  for (int corner = 0; corner < 8; ++corner) {
    const core::Vec3 edge{corner & 1 ? n[0] - 0.5 : -0.5, corner & 2 ? n[1] - 0.5 : -0.5,
                          corner & 4 ? n[2] - 0.5 : -0.5};
    const core::Vec3 p = target.physicalToIndex(geometry.indexToPhysical(edge));
    for (int a = 0; a < 3; ++a) box[a] = std::min(box[a], p[a]), box[a + 3] = std::max(box[a + 3], p[a]);
  }
  // The allowed overhang (a fraction of a label voxel) along each image axis: that fraction of
  // the largest step of one label index along it.
  const core::Vec3 labelOrigin = target.physicalToIndex(geometry.indexToPhysical({0, 0, 0}));
  std::array<double, 3> half{0, 0, 0};
  for (int c = 0; c < 3; ++c) {
    core::Vec3 step{0, 0, 0};
    step[c] = 1;
    const core::Vec3 d = target.physicalToIndex(geometry.indexToPhysical(step));
    for (int a = 0; a < 3; ++a) half[a] = std::max(half[a], overhangCells * std::abs(d[a] - labelOrigin[a]));
  }
  bool fits = true;
  for (int a = 0; a < 3; ++a) {
    const double slack = half[a] * (1 - 1e-6) + 1e-6;
    fits = fits && box[a] >= -0.5 - slack && box[a + 3] <= target.size[a] - 0.5 + slack;
  }
  if (!fits) {
    const auto& s = target.size;
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "the label map (" + std::to_string(n[0]) + "x" + std::to_string(n[1]) + "x" +
                               std::to_string(n[2]) + (what == "volume" ? " voxels" : " cells") +
                               ") does not fit the " + what + ": in the " + what + "'s " + units +
                               " indices it covers " + describeBox(box) + ", the " + what + " " +
                               describeBox({-0.5, -0.5, -0.5, s[0] - 0.5, s[1] - 0.5, s[2] - 0.5}));
  }
  double bad = 0;
  const double top = scanLabels(labels, bad);
  if (top < 0) {
    std::ostringstream text;
    text << "a label map holds non-negative integer class indices; this one has the value " << bad;
    return core::makeError(core::ErrorCode::InvalidArgument, text.str());
  }
  if (top > kMaxLabel)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "the label map has class index " + std::to_string(static_cast<long long>(top)) +
                               "; class indices go up to " + std::to_string(kMaxLabel));

  // Step through the map's index space: physical -> index is affine, so three points give it.
  const core::Vec3 o = geometry.physicalToIndex({0, 0, 0});
  for (int c = 0; c < 3; ++c) {
    core::Vec3 e{0, 0, 0};
    e[c] = 1;
    const core::Vec3 col = geometry.physicalToIndex(e);
    for (int r = 0; r < 3; ++r) physicalToIndex_[3 * r + c] = col[r] - o[r];
  }
  labels_ = std::move(labels);
  maxLabel_ = static_cast<int>(top);
  hasLabels_ = true;
  palette_.setLabelNames(std::move(names));
  return core::Ok{};
}

void VolumeLabelMap::clear() {
  labels_ = core::Volume();
  hasLabels_ = false;
  maxLabel_ = 0;
  palette_.setLabelNames({});
}

int VolumeLabelMap::labelAt(const core::Vec3& point) const {
  SamplingGrid one;
  one.origin = point;
  one.width = one.height = 1;
  const auto v = sampleGrid(one);
  return v.empty() ? 0 : v[0];
}

std::vector<std::int32_t> VolumeLabelMap::sampleGrid(const SamplingGrid& grid) const {
  const int w = std::max(grid.width, 0), h = std::max(grid.height, 0);
  std::vector<std::int32_t> out(static_cast<std::size_t>(w) * h, 0);
  if (!hasLabels_ || out.empty()) return out;
  const auto toIndex = [&](const core::Vec3& v, bool point) {
    core::Vec3 d = v;
    if (point)
      for (int a = 0; a < 3; ++a) d[a] -= labels_.origin[a];
    core::Vec3 r{};
    for (int a = 0; a < 3; ++a)
      r[a] = physicalToIndex_[3 * a] * d[0] + physicalToIndex_[3 * a + 1] * d[1] + physicalToIndex_[3 * a + 2] * d[2];
    return r;
  };
  const core::Vec3 base = toIndex(grid.origin, true), du = toIndex(grid.stepU, false), dv = toIndex(grid.stepV, false);
  const auto& n = labels_.size();
  switch (labels_.pixelType()) {
    case core::PixelType::UInt8:
      sampleTyped(reinterpret_cast<const std::uint8_t*>(labels_.data()), n, base, du, dv, w, h, out.data());
      break;
    case core::PixelType::Int16:
      sampleTyped(reinterpret_cast<const std::int16_t*>(labels_.data()), n, base, du, dv, w, h, out.data());
      break;
    case core::PixelType::UInt16:
      sampleTyped(reinterpret_cast<const std::uint16_t*>(labels_.data()), n, base, du, dv, w, h, out.data());
      break;
    case core::PixelType::Float32:
      sampleTyped(reinterpret_cast<const float*>(labels_.data()), n, base, du, dv, w, h, out.data());
      break;
  }
  return out;
}

std::vector<std::uint8_t> VolumeLabelMap::colorize(const std::vector<std::int32_t>& indices, double opacity) const {
  std::vector<std::uint8_t> out(indices.size() * 4, 0);
  const auto alpha = static_cast<std::uint8_t>(std::lround(255 * std::clamp(opacity, 0.0, 1.0)));
  // Colours per class once, not per pixel (a name lookup hashes the name).
  std::vector<Rgb> colors(static_cast<std::size_t>(std::max(maxLabel_, 0)) + 1);
  for (int i = 1; i <= maxLabel_; ++i) colors[static_cast<std::size_t>(i)] = palette_.labelColor(i);
  for (std::size_t p = 0; p < indices.size(); ++p) {
    const std::int32_t index = indices[p];
    if (index <= 0 || index > maxLabel_) continue;
    const Rgb& c = colors[static_cast<std::size_t>(index)];
    std::uint8_t* px = &out[p * 4];
    px[0] = c[0], px[1] = c[1], px[2] = c[2], px[3] = alpha;
  }
  return out;
}

}  // namespace meridian::viewers
