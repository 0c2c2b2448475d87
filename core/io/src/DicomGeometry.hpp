#pragma once
// Patient-space geometry from DICOM attributes (all in LPS, millimetres).

#include <array>
#include <cmath>

#include "meridian/core/Volume.hpp"

namespace meridian::io::detail {

inline core::Vec3 cross(const core::Vec3& a, const core::Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
inline double dot(const core::Vec3& a, const core::Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
inline double norm(const core::Vec3& a) { return std::sqrt(dot(a, a)); }

/// Direction matrix whose columns are the row direction, the column direction and their
/// cross product (the slice normal), from ImageOrientationPatient.
inline core::Mat3 directionFromOrientation(const std::array<double, 6>& o) {
  const core::Vec3 row{o[0], o[1], o[2]}, col{o[3], o[4], o[5]};
  const core::Vec3 n = cross(row, col);
  return {row[0], col[0], n[0], row[1], col[1], n[1], row[2], col[2], n[2]};
}

inline core::Vec3 sliceNormal(const std::array<double, 6>& o) {
  return cross({o[0], o[1], o[2]}, {o[3], o[4], o[5]});
}

}  // namespace meridian::io::detail
