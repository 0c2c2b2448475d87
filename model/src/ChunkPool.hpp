#pragma once
// A thread pool for the CPU inference path (issue 20) that never waits for a thread that is
// not running. Work is cut into chunks; the calling thread and the pool's workers take them
// from one counter, and the caller waits only for chunks a worker has already taken. A worker
// the OS has not scheduled (a loaded machine) therefore costs nothing: the caller does its
// share. This is how ONNX Runtime's pool behaves (it revokes work a worker has not started).
//
// Why not OpenMP: each parallel region ends in a barrier that waits for every thread of the
// team. On the shared 2-core machine (load 17, other processes niced), Meridian's fp32
// ViT-B/16 spent 3.7 s of CPU per 15.4 s of wall time at batch 16 with 2 OpenMP threads and
// 2.8 s of CPU in 3.3 s with 1 thread: the team mostly waited for a descheduled partner.
//
// Chunks run with OpenMP's team size 1 on every thread (ATen and oneDNN calls inside them
// run serially), so no second pool spins under this one.

#include <functional>

namespace meridian::model {

/// Runs fn(i) for i in [0, count) on the calling thread and up to threads - 1 workers
/// (threads: the intra-op setting, Runtime.hpp); returns when every chunk has run. Called
/// from inside a chunk, or while another thread runs a job, it runs the chunks inline.
void runChunks(int count, const std::function<void(int)>& fn);

/// Sets OpenMP's team size on this thread to 1 for its lifetime and restores it after:
/// ATen and oneDNN calls made meanwhile run serially (on this thread only).
class SerialOpenMpScope {
 public:
  SerialOpenMpScope();
  ~SerialOpenMpScope();
  SerialOpenMpScope(const SerialOpenMpScope&) = delete;
  SerialOpenMpScope& operator=(const SerialOpenMpScope&) = delete;

 private:
  int saved_;
};

}  // namespace meridian::model
