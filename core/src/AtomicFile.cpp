#include "meridian/core/AtomicFile.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace meridian::core {
namespace fs = std::filesystem;
namespace {

Error ioError(const fs::path& path, const std::string& what, int error) {
  return makeError(ErrorCode::Io, path.string() + ": " + what + ": " + std::strerror(error));
}

fs::path folderOf(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

bool statOf(const fs::path& path, struct stat& st) {
  return ::stat(path.c_str(), &st) == 0;
}

// The folder's entries reach the disk too: without this a power cut after rename() can
// bring back the old name (ext4 with data=writeback, XFS).
void syncFolder(const fs::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);  // best effort: some file systems (tmpfs, FUSE) refuse fsync on folders
  ::close(fd);
}

// rename() that does not replace an existing target. renameat2(RENAME_NOREPLACE) decides
// atomically; on file systems without it, link() + unlink() (link fails with EEXIST too).
int renameNoReplace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  if (::link(from.c_str(), to.c_str()) != 0) return -1;
  ::unlink(from.c_str());
  return 0;
}

// The umask, read without umask(2), which would change it for every thread for a moment.
mode_t processUmask() {
  static const mode_t mask = [] {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("Umask:", 0) == 0) return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
    return static_cast<mode_t>(022);
  }();
  return mask;
}

}  // namespace

bool isSameFile(const fs::path& a, const fs::path& b) {
  struct stat sa {}, sb {};
  return statOf(a, sa) && statOf(b, sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

Status checkOutputTarget(const fs::path& target, const OutputPolicy& policy) {
  if (target.empty()) return makeError(ErrorCode::InvalidArgument, "no output file named");
  for (const auto& input : policy.inputs)
    if (!input.empty() && isSameFile(target, input))
      return makeError(ErrorCode::InvalidArgument, target.string() + " is the input " + input.string() +
                                                       " (under another name?); writing there would destroy it");
  struct stat st {};
  if (::lstat(target.c_str(), &st) == 0) {
    struct stat followed {};
    const bool resolves = statOf(target, followed);
    if (S_ISDIR(resolves ? followed.st_mode : st.st_mode))
      return makeError(ErrorCode::InvalidArgument, target.string() + " is a folder; name a file inside it");
    if (resolves && !S_ISREG(followed.st_mode))
      return makeError(ErrorCode::InvalidArgument,
                       target.string() + " is a device, FIFO or socket, not a file Meridian can write");
    if (!policy.replaceExisting)
      return makeError(ErrorCode::InvalidArgument, target.string() + " already exists; it is kept");
  } else if (errno != ENOENT) {
    return ioError(target, "cannot look at the output", errno);
  }
  const fs::path folder = folderOf(target);
  if (!statOf(folder, st)) return ioError(target, "the output folder " + folder.string() + " is missing", errno);
  if (!S_ISDIR(st.st_mode))
    return makeError(ErrorCode::Io, target.string() + ": " + folder.string() + " is not a folder");
  return Ok{};
}

Status checkOutputFolder(const fs::path& folder, const OutputPolicy& policy) {
  if (folder.empty()) return makeError(ErrorCode::InvalidArgument, "no output folder named");
  std::error_code ec;
  for (const auto& input : policy.inputs) {
    if (input.empty()) continue;  // an option not given
    // The folder is an input, or an input lies inside it (at any depth): replacing the
    // folder's contents would destroy what this run reads.
    for (fs::path p = fs::absolute(input, ec).lexically_normal(); !p.empty(); p = p.parent_path()) {
      if (isSameFile(p, folder))
        return makeError(ErrorCode::InvalidArgument, folder.string() + " holds the input " + input.string() +
                                                         "; writing there would destroy it");
      if (p == p.root_path()) break;
    }
  }
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0) {
    if (errno == ENOENT) return Ok{};
    return ioError(folder, "cannot look at the output folder", errno);
  }
  if (!S_ISDIR(st.st_mode)) return makeError(ErrorCode::InvalidArgument, folder.string() + " exists and is not a folder");
  if (!policy.replaceExisting && !fs::is_empty(folder, ec))
    return makeError(ErrorCode::InvalidArgument, folder.string() + " already exists and is not empty; it is kept");
  return Ok{};
}

Result<AtomicFile> AtomicFile::create(const fs::path& target, const OutputPolicy& policy, const std::string& suffix) {
  if (auto allowed = checkOutputTarget(target, policy); !allowed) return allowed.error();
  std::string name = (folderOf(target) / ("." + target.filename().string() + ".partial-XXXXXX" + suffix)).string();
  const int fd = ::mkstemps(name.data(), static_cast<int>(suffix.size()));
  if (fd < 0) return ioError(target, "cannot create a temporary file beside it", errno);
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  // mkstemp makes the file 0600; an output is as readable as any file the user creates.
  ::fchmod(fd, 0666 & ~processUmask());
  return AtomicFile(target, name, fd, policy);
}

AtomicFile::AtomicFile(fs::path target, fs::path temporary, int fd, OutputPolicy policy)
    : target_(std::move(target)), temporary_(std::move(temporary)), fd_(fd), policy_(std::move(policy)) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : target_(std::move(other.target_)),
      temporary_(std::move(other.temporary_)),
      fd_(other.fd_),
      policy_(std::move(other.policy_)),
      committed_(other.committed_) {
  other.fd_ = -1;
  other.temporary_.clear();
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    discard();
    target_ = std::move(other.target_);
    temporary_ = std::move(other.temporary_);
    fd_ = other.fd_;
    policy_ = std::move(other.policy_);
    committed_ = other.committed_;
    other.fd_ = -1;
    other.temporary_.clear();
  }
  return *this;
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!committed_ && !temporary_.empty()) ::unlink(temporary_.c_str());
  temporary_.clear();
}

Status AtomicFile::write(std::string_view bytes) {
  if (fd_ < 0) return makeError(ErrorCode::Internal, target_.string() + ": write after commit");
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      discard();
      return ioError(target_, "cannot write (disk full?)", error);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return Ok{};
}

Status AtomicFile::commit() {
  if (fd_ < 0) return makeError(ErrorCode::Internal, target_.string() + ": nothing to commit");
  // fsync reports a write-back failure (EIO, ENOSPC on NFS or thin storage) that write()
  // could not know about yet; close can report one too.
  const bool synced = ::fsync(fd_) == 0;
  const int syncError = errno;
  const bool closed = ::close(fd_) == 0;
  const int closeError = errno;
  fd_ = -1;
  if (!synced || !closed) {
    discard();
    return ioError(target_, "cannot flush to disk", !synced ? syncError : closeError);
  }
  // The target may have changed while the output was computed (another run wrote it).
  if (auto allowed = checkOutputTarget(target_, policy_); !allowed) {
    discard();
    return allowed.error();
  }
  const int renamed = policy_.replaceExisting ? ::rename(temporary_.c_str(), target_.c_str())
                                              : renameNoReplace(temporary_, target_);
  if (renamed != 0) {
    const int error = errno;
    discard();
    if (error == EEXIST)
      return makeError(ErrorCode::InvalidArgument, target_.string() + " already exists; it is kept");
    return ioError(target_, "cannot move the finished file into place", error);
  }
  committed_ = true;
  temporary_.clear();
  syncFolder(folderOf(target_));
  return Ok{};
}

Status writeFileAtomically(const fs::path& path, std::string_view contents, const OutputPolicy& policy) {
  auto file = AtomicFile::create(path, policy);
  if (!file) return file.error();
  if (auto written = file.value().write(contents); !written) return written;
  return file.value().commit();
}

}  // namespace meridian::core
