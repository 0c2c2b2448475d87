#pragma once
// The one way Meridian writes a file: into a temporary file beside the target, every write
// checked, flushed to disk (fsync), then renamed into place and the folder synced. A crash,
// a full disk or a read-only folder leaves the old file or the new one, never a mix, and
// never a stray temporary. Before anything is written the target is checked against an
// OutputPolicy: an input is never replaced, an existing file only when the caller allows it,
// and something that is not a regular file (a device, a FIFO, a folder) never.
//
//   auto out = AtomicFile::create(path, policy);   // refused here: exists, is an input, ...
//   out.value().write(bytes);                      // or let a library write temporaryPath()
//   out.value().commit();                          // fsync + rename; the temporary is gone
//
// Files are the same when they are the same inode (st_dev, st_ino): other names (x.png,
// ./x.png, x//x.png), symlinks and hard links to a file are all recognised.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::core {

/// What a write may replace.
struct OutputPolicy {
  /// Replace a regular file already at the target. Internal files that are rewritten by
  /// design (caches, progress files, checkpoints) keep the default; user-named outputs pass
  /// the user's choice.
  bool replaceExisting = true;
  /// Files this run reads. The target may never be one of them, whatever replaceExisting
  /// says: the output would destroy what it was computed from.
  std::vector<std::filesystem::path> inputs;
};

/// Whether `a` and `b` name the same existing file (same device and inode). False when
/// either does not exist.
bool isSameFile(const std::filesystem::path& a, const std::filesystem::path& b);

/// Checks `target` against `policy` without writing anything, so a command can refuse
/// before it spends minutes computing the output. InvalidArgument when the target is one
/// of the inputs, exists and may not be replaced, or is not a regular file; Io when its
/// folder does not exist or is not a folder.
Status checkOutputTarget(const std::filesystem::path& target, const OutputPolicy& policy = {});

class AtomicFile {
 public:
  /// Creates the temporary file beside `target` (same folder, so the rename cannot cross
  /// file systems) after checkOutputTarget. `suffix` ends the temporary's name, for writers
  /// that choose a format by extension (".nii.gz").
  static Result<AtomicFile> create(const std::filesystem::path& target, const OutputPolicy& policy = {},
                                   const std::string& suffix = "");

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  /// Removes the temporary unless commit() succeeded.
  ~AtomicFile();

  /// Where the bytes go until commit(); a library that opens files by name may write here.
  const std::filesystem::path& temporaryPath() const { return temporary_; }
  const std::filesystem::path& target() const { return target_; }

  /// Appends bytes; any short or failed write (ENOSPC, EIO, EDQUOT) is an Io error.
  Status write(std::string_view bytes);

  /// fsync, close, re-check the policy, rename into place (without replacing anything when
  /// the policy forbids it, even if a file appeared meanwhile), fsync the folder. On any
  /// failure the temporary is removed and the target is as it was.
  Status commit();

 private:
  AtomicFile(std::filesystem::path target, std::filesystem::path temporary, int fd, OutputPolicy policy);
  void discard();

  std::filesystem::path target_, temporary_;
  int fd_ = -1;
  OutputPolicy policy_;
  bool committed_ = false;
};

/// Writes `contents` through an AtomicFile.
Status writeFileAtomically(const std::filesystem::path& path, std::string_view contents,
                           const OutputPolicy& policy = {});

/// Checks a folder that a command will fill (a model folder, an output folder): refused when
/// it is an input or holds one, or when it exists, is not empty and may not be replaced, or
/// is not a folder. A missing folder is fine (the caller creates it).
Status checkOutputFolder(const std::filesystem::path& folder, const OutputPolicy& policy = {});

}  // namespace meridian::core
