#include "meridian/core/AtomicFile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace meridian::core {
namespace {
Error ioError(const std::filesystem::path& path, const char* what) {
  return makeError(ErrorCode::Io, path.string() + ": " + what + ": " + std::strerror(errno));
}
}  // namespace

Status writeFileAtomically(const std::filesystem::path& path, std::string_view contents) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string tmpl = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return ioError(path, "cannot create a temporary file");
  const char* p = contents.data();
  std::size_t left = contents.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Error e = ioError(path, "cannot write (disk full?)");
      ::close(fd);
      ::unlink(tmpl.c_str());
      return e;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::fchmod(fd, 0644);
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    Error e = ioError(path, "cannot flush to disk");
    ::unlink(tmpl.c_str());
    return e;
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    Error e = ioError(path, "cannot move the finished file into place");
    ::unlink(tmpl.c_str());
    return e;
  }
  return Ok{};
}

}  // namespace meridian::core
