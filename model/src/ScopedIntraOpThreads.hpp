#pragma once
// setIntraOpThreads (meridian/model/Runtime.hpp) for one scope, e.g. one DINO run: the
// previous setting (the cap itself, 0 = one per core included) is put back on exit; nothing
// changes when `threads` already is intraOpThreads(). Defined in Runtime.cpp, beside the cap.

namespace meridian::model {

class ScopedIntraOpThreads {
 public:
  explicit ScopedIntraOpThreads(int threads);
  ~ScopedIntraOpThreads();
  ScopedIntraOpThreads(const ScopedIntraOpThreads&) = delete;
  ScopedIntraOpThreads& operator=(const ScopedIntraOpThreads&) = delete;

 private:
  int previous_ = -1;  // the cap to restore; -1 = nothing was changed
};

}  // namespace meridian::model
