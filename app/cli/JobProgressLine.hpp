#pragma once
// A long CLI job's progress on stderr and Ctrl-C as cancel: while a JobProgressLine lives,
// SIGINT cancels its JobControl (the job stops after the unit it is on and keeps what it
// finished) and a second SIGINT kills the process as usual. On a terminal the line is
// redrawn in place; otherwise (logs, tests) one line is written at most once a second.

#include <chrono>
#include <string>

#include "meridian/core/JobControl.hpp"

namespace meridian::app {

class JobProgressLine {
 public:
  explicit JobProgressLine(std::string what);
  ~JobProgressLine();
  JobProgressLine(const JobProgressLine&) = delete;
  JobProgressLine& operator=(const JobProgressLine&) = delete;

  const core::JobControl& job() const { return job_; }
  /// Ends the line (a newline on a terminal).
  void finish();

 private:
  void show(const core::JobProgress& progress);

  std::string what_;
  bool terminal_ = false;
  bool open_ = false;
  std::chrono::steady_clock::time_point lastPrint_{};
  core::JobControl job_;
};

}  // namespace meridian::app
