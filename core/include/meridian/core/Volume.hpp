#pragma once
// A 3D volume in patient coordinates (LPS, as DICOM and ITK use them).
// Voxel (i, j, k) sits at  origin + direction * (spacing ⊙ (i, j, k)).
// Scalar (CT, MR) or, for colour frame stacks such as an ultrasound cine loop, RGB with
// the channels interleaved; frames are then the k axis.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/PixelBuffer.hpp"
#include "meridian/core/PixelType.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::core {

using Vec3 = std::array<double, 3>;
/// Row-major 3x3; column c is the patient-space direction of voxel axis c.
using Mat3 = std::array<double, 9>;

constexpr Mat3 kIdentity3 = {1, 0, 0, 0, 1, 0, 0, 0, 1};

class Volume {
 public:
  Volume() = default;

  /// Allocates a volume, zero-filled unless the caller will write every voxel itself
  /// (readers: PixelBuffer::Init::Uninitialized); fails on empty or absurd sizes.
  static Result<Volume> allocate(std::array<int, 3> size, PixelType type,
                                 PixelBuffer::Init init = PixelBuffer::Init::Zero, int channels = 1);

  const std::array<int, 3>& size() const { return size_; }
  PixelType pixelType() const { return type_; }
  int channels() const { return channels_; }
  std::size_t voxelCount() const {
    return static_cast<std::size_t>(size_[0]) * size_[1] * size_[2];
  }
  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t sizeInBytes() const { return bytes_.size(); }

  double valueAt(int i, int j, int k, int c = 0) const;
  /// Smallest and largest value over every voxel and channel.
  std::array<double, 2> valueRange() const;

  /// Patient-space position (mm) of the centre of voxel (i, j, k).
  Vec3 indexToPhysical(const Vec3& index) const;
  /// The inverse: the continuous voxel index (centres on integers) of a patient-space point.
  /// A singular direction matrix or a zero spacing gives NaN components.
  Vec3 physicalToIndex(const Vec3& point) const;

  /// Axial slice (or frame) k as a 2D image (same pixel type and channels; spacing copied).
  Result<Image2D> slice(int k) const;

  Vec3 spacing{1.0, 1.0, 1.0};
  Vec3 origin{0.0, 0.0, 0.0};
  Mat3 direction = kIdentity3;
  /// Stored value v means v * rescaleSlope + rescaleIntercept (1 and 0 once applied).
  double rescaleSlope = 1.0;
  double rescaleIntercept = 0.0;
  std::string modality;  // "CT", "MR", ... when known

 private:
  std::array<int, 3> size_{0, 0, 0};
  PixelType type_ = PixelType::Int16;
  int channels_ = 1;
  PixelBuffer bytes_;
};

}  // namespace meridian::core
