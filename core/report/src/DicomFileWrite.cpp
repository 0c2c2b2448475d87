#include "DicomFileWrite.hpp"

#include <dcmtk/dcmdata/dcmetinf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace meridian::report::detail {
using core::ErrorCode;
using core::makeError;

core::Status saveDicomAtomically(DcmFileFormat& file, const std::filesystem::path& target, E_TransferSyntax xfer) {
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  if (ec)
    return makeError(ErrorCode::Io, target.parent_path().string() + ": cannot create the folder: " + ec.message());
  const auto dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0)
    return makeError(ErrorCode::Io, target.string() + ": cannot create a temporary file: " + std::strerror(errno));
  ::close(fd);
  file.getMetaInfo()->clear();  // a fresh meta header: an old one may name the sending station
  const OFCondition saved =
      file.saveFile(tmp.c_str(), xfer, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0, 0, EWM_createNewMeta);
  if (saved.bad()) {
    ::unlink(tmp.c_str());
    return makeError(ErrorCode::Io, target.string() + ": cannot write (disk full?): " + saved.text());
  }
  const int syncFd = ::open(tmp.c_str(), O_RDONLY);
  const bool synced = syncFd >= 0 && ::fsync(syncFd) == 0;
  if (syncFd >= 0) ::close(syncFd);
  ::chmod(tmp.c_str(), 0644);
  if (!synced || ::rename(tmp.c_str(), target.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return makeError(ErrorCode::Io, target.string() + ": cannot flush and move the finished file into place: " + why);
  }
  return core::Ok{};
}

}  // namespace meridian::report::detail
