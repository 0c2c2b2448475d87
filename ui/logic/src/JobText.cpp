#include "meridian/ui/JobText.hpp"

#include <cmath>
#include <cstdio>

namespace meridian::ui {

std::string formatDuration(double seconds) {
  if (seconds < 0 || !std::isfinite(seconds)) return {};
  const long s = std::lround(seconds);
  char text[32];
  if (s < 60)
    std::snprintf(text, sizeof text, "%ld s", s);
  else if (s < 3600)
    std::snprintf(text, sizeof text, "%ld min %02ld s", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%ld h %02ld min", s / 3600, (s % 3600) / 60);
  return text;
}

std::string describeJob(const core::JobStatus& job) {
  switch (job.state) {
    case core::JobState::Queued: return job.cancelRequested ? "cancelling" : "queued";
    case core::JobState::Succeeded: return "done in " + formatDuration(job.elapsedSeconds);
    case core::JobState::Cancelled: return "cancelled";
    case core::JobState::Failed: return "failed: " + (job.error ? job.error->message : std::string("unknown error"));
    case core::JobState::Running: break;
  }
  std::string text = job.progress.stage.empty() ? std::string("running") : job.progress.stage;
  if (job.progress.total > 0)
    text += " " + std::to_string(job.progress.done) + "/" + std::to_string(job.progress.total);
  const std::string left = formatDuration(job.progress.etaSeconds);
  if (!left.empty()) text += " · " + left + " left";
  if (!job.progress.detail.empty()) text += " · " + job.progress.detail;
  if (job.cancelRequested) text += " · cancelling";
  return text;
}

int progressPercent(const core::JobStatus& job) {
  if (job.state == core::JobState::Succeeded) return 100;
  if (job.progress.total == 0) return -1;
  return static_cast<int>(std::min<std::size_t>(100, job.progress.done * 100 / job.progress.total));
}

}  // namespace meridian::ui
