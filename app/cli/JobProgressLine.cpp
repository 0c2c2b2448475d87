#include "JobProgressLine.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace meridian::app {
namespace {

// The job Ctrl-C cancels. JobControl::cancel() is one lock-free atomic store, which a
// signal handler may do; the pointer itself is a lock-free atomic too.
std::atomic<const core::JobControl*> g_cancelTarget{nullptr};

extern "C" void cancelOnSigint(int signal) {
  if (const auto* target = g_cancelTarget.load()) target->cancel();
  std::signal(signal, SIG_DFL);  // a second Ctrl-C (or TERM) ends the process at once
}

}  // namespace

JobProgressLine::JobProgressLine(std::string what, bool visible)
    : what_(std::move(what)),
      visible_(visible),
      terminal_(::isatty(STDERR_FILENO) != 0),
      job_([this](const core::JobProgress& p) { show(p); }) {
  g_cancelTarget = &job_;
  std::signal(SIGINT, cancelOnSigint);
  std::signal(SIGTERM, cancelOnSigint);
}

JobProgressLine::~JobProgressLine() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_cancelTarget = nullptr;
  finish();
}

void JobProgressLine::show(const core::JobProgress& p) {
  if (!visible_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool last = p.total > 0 && p.done >= p.total;
  if (!terminal_ && !last && now - lastPrint_ < std::chrono::seconds(1)) return;
  lastPrint_ = now;
  char eta[32] = "";
  if (p.etaSeconds >= 0) std::snprintf(eta, sizeof eta, ", about %.0f s left", p.etaSeconds);
  std::fprintf(stderr, "%s%s: %s %zu/%zu%s%s%s%s", terminal_ ? "\r" : "", what_.c_str(), p.stage.c_str(), p.done, p.total,
               p.detail.empty() ? "" : " ", p.detail.c_str(), eta, terminal_ ? "   " : "\n");
  std::fflush(stderr);
  open_ = terminal_;
}

core::Status JobProgressLine::run(core::JobRunner& runner, std::string title, core::JobFunction work) {
  runner.setListener([this](const core::JobStatus& s) {
    if (s.state == core::JobState::Running && (s.progress.total > 0 || !s.progress.stage.empty())) show(s.progress);
  });
  const core::JobId id = runner.submit(std::move(title), [this, work = std::move(work)](const core::JobControl& control) {
    runnerJob_ = control;
    g_cancelTarget = &runnerJob_;
    if (job_.cancelled()) control.cancel();  // Ctrl-C before the job started
    return work(control);
  });
  core::Status result = runner.wait(id);
  g_cancelTarget = &job_;
  runner.setListener({});
  finish();
  return result;
}

void JobProgressLine::finish() {
  if (open_) std::fputc('\n', stderr);
  open_ = false;
}

}  // namespace meridian::app
