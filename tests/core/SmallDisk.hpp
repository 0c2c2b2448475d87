#pragma once
// A tiny tmpfs mounted for one test: a disk that fills up after `size` (e.g. "1m"), or a
// read-only one. Mounting needs root (CI and the development VM run tests as root); where
// it is not allowed the test skips and says why rather than passing without checking.

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

namespace meridian::test {

class SmallDisk {
 public:
  explicit SmallDisk(const std::string& size, bool readOnly = false) {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("meridian-small-disk-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
    const std::string options = "size=" + size + ",mode=0777";
    if (::mount("tmpfs", path_.c_str(), "tmpfs", readOnly ? MS_RDONLY : 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      why_ = std::string("cannot mount a ") + size + " tmpfs (" + std::strerror(errno) + "; needs root)";
    }
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
  bool mounted_ = false;
  std::string why_;
};

}  // namespace meridian::test

#define MERIDIAN_REQUIRE_SMALL_DISK(disk) \
  if (!(disk).mounted()) GTEST_SKIP() << (disk).why()
