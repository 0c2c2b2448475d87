#include "meridian/core/Volume.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <new>

#include "PixelAccess.hpp"

namespace meridian::core {

Result<Volume> Volume::allocate(std::array<int, 3> size, PixelType type, PixelBuffer::Init init, int channels) {
  if (channels != 1 && channels != 3)
    return makeError(ErrorCode::Unsupported, std::to_string(channels) + " channels per voxel (Meridian keeps 1 or 3)");
  constexpr long long kMaxVoxels = 1LL << 33;  // 8 Gi voxels: far beyond any CT
  long long count = 1;
  for (int s : size) {
    if (s <= 0)
      return makeError(ErrorCode::InvalidArgument, "volume size " + std::to_string(size[0]) + "x" +
                                                       std::to_string(size[1]) + "x" + std::to_string(size[2]) +
                                                       " is empty");
    count *= s;
    if (count > kMaxVoxels) return makeError(ErrorCode::Unsupported, "volume has more than 8 Gi voxels");
  }
  count *= channels;
  Volume v;
  v.size_ = size;
  v.type_ = type;
  v.channels_ = channels;
  try {
    v.bytes_ = PixelBuffer(static_cast<std::size_t>(count) * bytesPerComponent(type), init);
  } catch (const std::bad_alloc&) {
    return makeError(ErrorCode::Io, "not enough memory for a volume of " +
                                        std::to_string(count * static_cast<long long>(bytesPerComponent(type)) >> 20) + " MiB");
  }
  return v;
}

double Volume::valueAt(int i, int j, int k, int c) const {
  const std::size_t index = ((static_cast<std::size_t>(k) * size_[1] + j) * size_[0] + i) * channels_ + c;
  return detail::componentAt(bytes_.data(), type_, index);
}

std::array<double, 2> Volume::valueRange() const {
  return detail::componentRange(bytes_.data(), type_, voxelCount() * channels_);
}

Vec3 Volume::indexToPhysical(const Vec3& index) const {
  Vec3 p = origin;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) p[r] += direction[r * 3 + c] * spacing[c] * index[c];
  return p;
}

Vec3 Volume::physicalToIndex(const Vec3& point) const {
  // M = direction * diag(spacing); index = M^-1 (point - origin), by the adjugate.
  double m[3][3];
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) m[r][c] = direction[r * 3 + c] * spacing[c];
  const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (det == 0.0 || !std::isfinite(det)) return {nan, nan, nan};
  const double inv[3][3] = {
      {(m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det, (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det,
       (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det},
      {(m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det, (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det,
       (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det},
      {(m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det, (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det,
       (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det}};
  const Vec3 d = {point[0] - origin[0], point[1] - origin[1], point[2] - origin[2]};
  Vec3 index{};
  for (int r = 0; r < 3; ++r) index[r] = inv[r][0] * d[0] + inv[r][1] * d[1] + inv[r][2] * d[2];
  return index;
}

Result<Image2D> Volume::slice(int k) const {
  if (k < 0 || k >= size_[2])
    return makeError(ErrorCode::InvalidArgument,
                     "slice " + std::to_string(k) + " outside 0.." + std::to_string(size_[2] - 1));
  auto image = Image2D::allocate(size_[0], size_[1], channels_, type_);
  if (!image) return image.error();
  Image2D out = std::move(image).value();
  const std::size_t sliceBytes = out.sizeInBytes();
  std::memcpy(out.data(), bytes_.data() + sliceBytes * static_cast<std::size_t>(k), sliceBytes);
  out.spacing = std::array<double, 2>{spacing[0], spacing[1]};
  out.photometric = channels_ == 3 ? "RGB" : "MONOCHROME2";
  out.modality = modality;  // a CT volume's slice is a CT image
  return out;
}

}  // namespace meridian::core
