#pragma once
// Pixels a Python peer wrote as raw little-endian float64 (row-major, one value per pixel),
// and how far Meridian's image is from them: the LUT tests compare Meridian's decode with
// pydicom's apply_modality_lut / apply_voi_lut this way, below the window and in it.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include "meridian/core/Image2D.hpp"

namespace meridian::test {

/// `count` float64 values from `path`; a short or missing file fails the calling test.
inline std::vector<double> readF64(const std::filesystem::path& path, std::size_t count) {
  std::ifstream in(path, std::ios::binary);
  std::vector<double> v(count);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(double)));
  EXPECT_TRUE(in) << path;
  return v;
}

/// The largest |image(x, y) - peer[y * width + x]| over the image.
inline double worstDifference(const core::Image2D& image, const std::vector<double>& peer) {
  double worst = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x)
      worst = std::max(worst, std::abs(image.valueAt(x, y) - peer[static_cast<std::size_t>(y) * image.width() + x]));
  return worst;
}

}  // namespace meridian::test
