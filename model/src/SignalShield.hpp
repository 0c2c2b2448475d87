#pragma once
// Keeps asynchronous signals (Ctrl-C, SIGTERM, a profiler's SIGPROF, ...) off a thread while
// it runs oneDNN's generated kernels. Why: oneDNN's generated f32 GEMM kernels (Debian 12's
// libdnnl2 is 2.6.3) point the stack pointer into a heap workspace while they run; a
// signal handled on that thread then writes its frame into the heap and corrupts it
// (oneDNN issue 4845, fixed upstream in 2026 by PR 4855). Meridian's fp32 products run on
// those kernels (InferenceLinearDnnl.cpp), and `meridian-cli infer` cancelled with Ctrl-C
// aborted with "corrupted size vs. prev_size" in 2-4 of 10 runs, and in every run under a
// stream of signals. A signal that arrives meanwhile stays pending and is handled when the scope ends
// (or by another thread that does not block it): nothing is lost, only delayed by one call.
//
// Synchronous signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT) stay
// unblocked: blocking them would hide real faults.

namespace meridian::model {

class AsyncSignalsBlocked {
 public:
  AsyncSignalsBlocked();
  ~AsyncSignalsBlocked();
  AsyncSignalsBlocked(const AsyncSignalsBlocked&) = delete;
  AsyncSignalsBlocked& operator=(const AsyncSignalsBlocked&) = delete;

 private:
  unsigned char saved_[128];  // the thread's previous sigset_t (no <signal.h> in this header)
  bool restore_ = false;
};

/// Blocks asynchronous signals on the calling thread for good (a pool's compute threads).
void blockAsyncSignalsOnThisThread();

}  // namespace meridian::model
