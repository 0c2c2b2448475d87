#include "meridian/core/RegularFile.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace meridian::core {

namespace {

const char* describeType(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

}  // namespace

Result<RegularFile> checkRegularFile(const std::filesystem::path& path) {
  // stat() follows symlinks, so a link to /dev/zero is judged by what it points to.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      return makeError(ErrorCode::NotFound, path.string() + ": no such file");
    if (err == ELOOP) return makeError(ErrorCode::Unsupported, path.string() + ": symbolic link loop");
    return makeError(ErrorCode::Io, path.string() + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode))
    return makeError(ErrorCode::Unsupported,
                     path.string() + ": is " + describeType(st.st_mode) + ", not a regular file; refused");
  return RegularFile{path, static_cast<std::uint64_t>(st.st_size)};
}

}  // namespace meridian::core
