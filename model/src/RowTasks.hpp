#pragma once
// How many rows of `cols` values make one at::parallel_for task of about `valuesPerTask`
// values (at least one row): shared by the row kernels that split a [rows, cols] tensor.

#include <algorithm>
#include <cstdint>

namespace meridian::model {

inline std::int64_t rowsPerTask(std::int64_t cols, std::int64_t valuesPerTask) {
  return std::max<std::int64_t>(1, valuesPerTask / std::max<std::int64_t>(1, cols));
}

}  // namespace meridian::model
