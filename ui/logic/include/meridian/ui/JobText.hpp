#pragma once
// How the jobs panel words a job (Qt-free): state, progress and the time left.

#include <string>

#include "meridian/core/JobRunner.hpp"

namespace meridian::ui {

/// "12 s", "3 min 05 s", "1 h 02 min"; "" when negative (unknown).
std::string formatDuration(double seconds);

/// "slices 40/256 · 12 s left", "queued", "done in 3 s", "cancelled", "failed: <message>".
std::string describeJob(const core::JobStatus& job);

/// Progress in percent 0..100, or -1 when the total is unknown (a busy bar).
int progressPercent(const core::JobStatus& job);

}  // namespace meridian::ui
