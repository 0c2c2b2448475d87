#pragma once
// OpenBLAS on the calling thread alone for one scope, its previous thread count put back on
// exit; nothing happens when the BLAS is not OpenBLAS or `enabled` is false. Defined in
// Runtime.cpp, beside the code that sizes OpenBLAS's pool.
//
// Why: Debian's OpenBLAS keeps its own pthread pool beside ATen's OpenMP threads. Where the
// large products run elsewhere (bf16 through oneDNN on the OpenMP threads) and only small fp32
// ones reach OpenBLAS (DINO's heads: 16-48 rows), handing each of those to a second pool costs
// more than it saves: the two pools' waiting threads take turns on the same two cores. DINO's
// heads and loss took 41.7-51.5 ms a step with OpenBLAS on 2 threads and 12.3-13.1 ms on 1
// (`bench_dino --phases 1 --steps 3 --rounds 2`, twice each, 2026-12-05).

namespace meridian::model {

class ScopedSingleThreadBlas {
 public:
  explicit ScopedSingleThreadBlas(bool enabled);
  ~ScopedSingleThreadBlas();
  ScopedSingleThreadBlas(const ScopedSingleThreadBlas&) = delete;
  ScopedSingleThreadBlas& operator=(const ScopedSingleThreadBlas&) = delete;

 private:
  int previous_ = 0;  // the thread count to restore; 0 = nothing was changed
};

}  // namespace meridian::model
