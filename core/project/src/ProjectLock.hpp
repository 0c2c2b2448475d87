#pragma once
// project.lock: an exclusive flock that marks the one process writing a project. The kernel
// drops it when the process ends, however it ends (kill -9 included), so a crash never
// leaves a project locked.

#include <filesystem>

#include "meridian/core/Result.hpp"

namespace meridian::project {

class ProjectLock {
 public:
  enum class Outcome { Acquired, HeldByAnother, FolderReadOnly };

  ProjectLock() = default;
  ~ProjectLock();
  ProjectLock(ProjectLock&& other) noexcept;
  ProjectLock& operator=(ProjectLock&& other) noexcept;
  ProjectLock(const ProjectLock&) = delete;
  ProjectLock& operator=(const ProjectLock&) = delete;

  /// Tries to take the lock without waiting. Other failures (e.g. the folder is missing)
  /// are errors.
  core::Result<Outcome> tryAcquire(const std::filesystem::path& folder);
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace meridian::project
