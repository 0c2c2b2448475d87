#pragma once
// A long CLI job's progress on stderr and Ctrl-C as cancel: while a JobProgressLine lives,
// SIGINT (and SIGTERM) cancels its JobControl (the job stops after the unit it is on, keeps
// what it finished and ends with ErrorCode::Cancelled) and a second one ends the process as
// usual. Every meridian-cli command that runs a job uses it: one progress view, one cancel. On a terminal the line is
// redrawn in place; otherwise (logs, tests) one line is written at most once a second.
// run() makes it a view of the one job runner (core/JobRunner.hpp): the window's jobs panel
// is the other view of the same JobStatus.

#include <chrono>
#include <string>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/JobRunner.hpp"

namespace meridian::app {

class JobProgressLine {
 public:
  /// `visible` false: cancel only, no line (e.g. the ranks of a distributed run but one).
  explicit JobProgressLine(std::string what, bool visible = true);
  ~JobProgressLine();
  JobProgressLine(const JobProgressLine&) = delete;
  JobProgressLine& operator=(const JobProgressLine&) = delete;

  const core::JobControl& job() const { return job_; }
  /// Ends the line (a newline on a terminal).
  void finish();

  /// Runs `work` as a job of `runner`, shows its progress and ETA here, lets Ctrl-C cancel
  /// it, waits for it and returns what it returned (ErrorCode::Cancelled when cancelled).
  core::Status run(core::JobRunner& runner, std::string title, core::JobFunction work);

 private:
  void show(const core::JobProgress& progress);

  std::string what_;
  bool visible_ = true;
  bool terminal_ = false;
  bool open_ = false;
  std::chrono::steady_clock::time_point lastPrint_{};
  core::JobControl job_;
  core::JobControl runnerJob_;  // the runner's control of the job run() waits for
};

}  // namespace meridian::app
