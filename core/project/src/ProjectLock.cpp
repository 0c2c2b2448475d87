#include "ProjectLock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace meridian::project {

ProjectLock::~ProjectLock() {
  if (fd_ >= 0) ::close(fd_);  // closing drops the flock
}

ProjectLock::ProjectLock(ProjectLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

ProjectLock& ProjectLock::operator=(ProjectLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

core::Result<ProjectLock::Outcome> ProjectLock::tryAcquire(const std::filesystem::path& folder) {
  const auto path = folder / "project.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EROFS || errno == EACCES || errno == EPERM) return Outcome::FolderReadOnly;
    return core::makeError(core::ErrorCode::Io, "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return Outcome::HeldByAnother;
    return core::makeError(core::ErrorCode::Io, "cannot lock " + path.string() + ": " + std::strerror(err));
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  return Outcome::Acquired;
}

}  // namespace meridian::project
