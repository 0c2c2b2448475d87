#pragma once
// Running a batch that may not fit in the device's memory: on an out-of-memory error the
// rows still to do are retried in chunks half as large, down to one row, so a too-large
// batch on a GPU (or a big slide batch on a small machine) becomes slower, not a crash.
// Rows finished before the error are kept. Plain C++ apart from recognising LibTorch's
// out-of-memory errors; the forward pass is a callback so tests can drive the logic.

#include <c10/util/Exception.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>

namespace meridian::model {

/// LibTorch's out-of-memory errors: c10::OutOfMemoryError (CUDA's caching allocator) and
/// the CPU allocator's (a plain c10::Error in 1.13: "DefaultCPUAllocator: can't allocate
/// memory", "not enough memory" in later versions).
inline bool isOutOfMemory(const std::exception& e) {
  if (dynamic_cast<const c10::OutOfMemoryError*>(&e) != nullptr) return true;
  const std::string what = e.what();
  for (const char* sign : {"out of memory", "not enough memory", "can't allocate memory"})
    if (what.find(sign) != std::string::npos) return true;
  return false;
}

/// What runWithBatchBackoff did: the chunk size that worked last, and whether any chunk ran
/// out of memory (a batch smaller than the first chunk runs whole: that is no back-off).
struct BatchBackoffOutcome {
  std::int64_t chunk = 0;
  bool backedOff = false;
};

/// Calls forward(start, count) over rows [0, rows) in order, in chunks of `firstChunk` rows
/// (all at once by default), then in smaller chunks after an out-of-memory error (halving
/// each time). Other errors, and an out-of-memory error on a single row, propagate.
template <class Forward>
BatchBackoffOutcome runWithBatchBackoff(std::int64_t rows, Forward&& forward, std::int64_t firstChunk = 0) {
  BatchBackoffOutcome outcome;
  outcome.chunk = std::max<std::int64_t>(firstChunk > 0 ? std::min(firstChunk, rows) : rows, 1);
  for (std::int64_t start = 0; start < rows;) {
    const std::int64_t count = std::min(outcome.chunk, rows - start);
    try {
      forward(start, count);
      start += count;
    } catch (const std::exception& e) {
      if (!isOutOfMemory(e) || count == 1) throw;
      outcome.chunk = std::max<std::int64_t>(count / 2, 1);
      outcome.backedOff = true;
    }
  }
  return outcome;
}

}  // namespace meridian::model
