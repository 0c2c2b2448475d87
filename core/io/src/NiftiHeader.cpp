#include "NiftiHeader.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace meridian::io::detail {
namespace {

using core::ErrorCode;
using core::Mat3;

// The NIfTI-1 header as the format defines it (nifti1.h): 348 bytes, no padding.
struct Nifti1Header {
  std::int32_t sizeof_hdr;
  char data_type[10];
  char db_name[18];
  std::int32_t extents;
  std::int16_t session_error;
  char regular;
  char dim_info;
  std::int16_t dim[8];
  float intent_p1, intent_p2, intent_p3;
  std::int16_t intent_code, datatype, bitpix, slice_start;
  float pixdim[8];
  float vox_offset, scl_slope, scl_inter;
  std::int16_t slice_end;
  char slice_code;
  char xyzt_units;
  float cal_max, cal_min, slice_duration, toffset;
  std::int32_t glmax, glmin;
  char descrip[80];
  char aux_file[24];
  std::int16_t qform_code, sform_code;
  float quatern_b, quatern_c, quatern_d, qoffset_x, qoffset_y, qoffset_z;
  float srow_x[4], srow_y[4], srow_z[4];
  char intent_name[16];
  char magic[4];
};
static_assert(sizeof(Nifti1Header) == 348, "NIfTI-1 headers are 348 bytes");
static_assert(offsetof(Nifti1Header, dim) == 40 && offsetof(Nifti1Header, pixdim) == 76 &&
                  offsetof(Nifti1Header, qform_code) == 252 && offsetof(Nifti1Header, srow_x) == 280 &&
                  offsetof(Nifti1Header, magic) == 344,
              "field offsets as in nifti1.h");

constexpr std::int16_t kXformScannerAnat = 1;  // NIFTI_XFORM_SCANNER_ANAT
constexpr char kUnitsMillimetre = 2;           // NIFTI_UNITS_MM

double determinant(const Mat3& m) {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

// (m^-1)^T, from the cofactors.
Mat3 inverseTranspose(const Mat3& m) {
  const double det = determinant(m);
  return {(m[4] * m[8] - m[5] * m[7]) / det, -(m[3] * m[8] - m[5] * m[6]) / det, (m[3] * m[7] - m[4] * m[6]) / det,
          -(m[1] * m[8] - m[2] * m[7]) / det, (m[0] * m[8] - m[2] * m[6]) / det, -(m[0] * m[7] - m[1] * m[6]) / det,
          (m[1] * m[5] - m[2] * m[4]) / det, -(m[0] * m[5] - m[2] * m[3]) / det, (m[0] * m[4] - m[1] * m[3]) / det};
}

// The nearest orthogonal matrix (polar decomposition, Newton's iteration): a direction read
// from a file is orthonormal only to its precision, and NIfTI's quaternion needs a rotation.
Mat3 nearestOrthogonal(Mat3 q) {
  for (int iteration = 0; iteration < 100; ++iteration) {
    const Mat3 t = inverseTranspose(q);
    double change = 0;
    for (int i = 0; i < 9; ++i) {
      const double next = 0.5 * (q[i] + t[i]);
      change = std::max(change, std::abs(next - q[i]));
      q[i] = next;
    }
    if (change < 1e-15) break;
  }
  return q;
}

}  // namespace

NiftiQuaternion niftiQuaternion(const Mat3& rasDirection) {
  Mat3 r = rasDirection;
  for (int c = 0; c < 3; ++c) {  // unit columns; a zero column becomes that axis
    const double norm = std::sqrt(r[c] * r[c] + r[3 + c] * r[3 + c] + r[6 + c] * r[6 + c]);
    for (int row = 0; row < 3; ++row) r[row * 3 + c] = norm > 0 ? r[row * 3 + c] / norm : (row == c ? 1.0 : 0.0);
  }
  if (std::abs(determinant(r)) < 1e-12) r = core::kIdentity3;  // degenerate: no rotation to keep
  r = nearestOrthogonal(r);
  NiftiQuaternion q;
  if (determinant(r) < 0) {  // a reflection: NIfTI keeps it as qfac = -1 and a flipped z column
    q.qfac = -1;
    for (int row = 0; row < 3; ++row) r[row * 3 + 2] = -r[row * 3 + 2];
  }
  // The rotation as a unit quaternion (a, b, c, d) with a >= 0, from its largest component.
  const double r00 = r[0], r01 = r[1], r02 = r[2], r10 = r[3], r11 = r[4], r12 = r[5], r20 = r[6], r21 = r[7],
               r22 = r[8];
  double a = 1.0 + r00 + r11 + r22;
  if (a > 0.5) {
    a = 0.5 * std::sqrt(a);
    q.b = 0.25 * (r21 - r12) / a;
    q.c = 0.25 * (r02 - r20) / a;
    q.d = 0.25 * (r10 - r01) / a;
  } else if (const double xd = 1.0 + r00 - (r11 + r22); xd > 1.0) {
    q.b = 0.5 * std::sqrt(xd);
    q.c = 0.25 * (r01 + r10) / q.b;
    q.d = 0.25 * (r02 + r20) / q.b;
    a = 0.25 * (r21 - r12) / q.b;
  } else if (const double yd = 1.0 + r11 - (r00 + r22); yd > 1.0) {
    q.c = 0.5 * std::sqrt(yd);
    q.b = 0.25 * (r01 + r10) / q.c;
    q.d = 0.25 * (r12 + r21) / q.c;
    a = 0.25 * (r02 - r20) / q.c;
  } else {
    q.d = 0.5 * std::sqrt(1.0 + r22 - (r00 + r11));
    q.b = 0.25 * (r02 + r20) / q.d;
    q.c = 0.25 * (r12 + r21) / q.d;
    a = 0.25 * (r10 - r01) / q.d;
  }
  if (a < 0) q.b = -q.b, q.c = -q.c, q.d = -q.d;
  return q;
}

core::Result<std::string> niftiHeader(const NiftiGeometry& g) {
  for (int a = 0; a < 3; ++a)
    if (g.size[a] < 1 || g.size[a] > 32767)
      return core::makeError(ErrorCode::Unsupported, "NIfTI-1 holds 1 to 32767 voxels along an axis, not " +
                                                         std::to_string(g.size[a]));
  Nifti1Header h;
  std::memset(&h, 0, sizeof h);
  h.sizeof_hdr = 348;
  h.regular = 'r';
  h.dim[0] = static_cast<std::int16_t>(g.dimensions);
  for (int i = 1; i < 8; ++i) h.dim[i] = i <= 3 ? static_cast<std::int16_t>(g.size[i - 1]) : 1;
  if (g.channels == 3 && g.type == core::PixelType::UInt8) {
    h.datatype = 128, h.bitpix = 24;  // NIFTI_TYPE_RGB24: r, g, b interleaved per voxel, as Meridian keeps it
  } else if (g.channels != 1) {
    return core::makeError(ErrorCode::Unsupported, "NIfTI keeps colour as 8-bit RGB only, not " +
                                                       std::to_string(g.channels) + " channels of " +
                                                       core::toString(g.type));
  } else {
    switch (g.type) {
      case core::PixelType::UInt8: h.datatype = 2, h.bitpix = 8; break;
      case core::PixelType::Int16: h.datatype = 4, h.bitpix = 16; break;
      case core::PixelType::UInt16: h.datatype = 512, h.bitpix = 16; break;
      case core::PixelType::Float32: h.datatype = 16, h.bitpix = 32; break;
    }
  }
  h.vox_offset = static_cast<float>(kNiftiVoxelOffset);
  h.scl_slope = 1.0f;  // the voxels are the values (a series is rescaled when it is read)
  h.xyzt_units = kUnitsMillimetre;
  h.qform_code = h.sform_code = kXformScannerAnat;
  std::memcpy(h.magic, "n+1", 4);

  // RAS = diag(-1, -1, 1) * LPS, for the axes' directions and the origin.
  Mat3 ras = g.direction;
  for (int c = 0; c < 3; ++c) ras[c] = -ras[c], ras[3 + c] = -ras[3 + c];
  const NiftiQuaternion q = niftiQuaternion(ras);
  h.pixdim[0] = static_cast<float>(q.qfac);
  for (int a = 0; a < 3; ++a) h.pixdim[a + 1] = static_cast<float>(g.spacing[a]);
  h.quatern_b = static_cast<float>(q.b);
  h.quatern_c = static_cast<float>(q.c);
  h.quatern_d = static_cast<float>(q.d);
  h.qoffset_x = static_cast<float>(-g.origin[0]);
  h.qoffset_y = static_cast<float>(-g.origin[1]);
  h.qoffset_z = static_cast<float>(g.origin[2]);
  float* rows[3] = {h.srow_x, h.srow_y, h.srow_z};
  for (int row = 0; row < 3; ++row) {
    // + 0.0f: a zero is +0, as ITK writes it, not the -0 that negating the x and y rows leaves.
    for (int c = 0; c < 3; ++c) rows[row][c] = static_cast<float>(ras[row * 3 + c] * g.spacing[c]) + 0.0f;
  }
  h.srow_x[3] = h.qoffset_x, h.srow_y[3] = h.qoffset_y, h.srow_z[3] = h.qoffset_z;

  std::string bytes(kNiftiVoxelOffset, '\0');  // the header, then 4 zero bytes: no extensions
  std::memcpy(bytes.data(), &h, sizeof h);
  return bytes;
}

}  // namespace meridian::io::detail
