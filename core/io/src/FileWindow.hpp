#pragma once
// Reads at any offset of an open file through one buffer. The DICOM walkers (length scan,
// structure check) read element headers a few bytes at a time at rising offsets, and
// std::ifstream's seekg drops its buffer on every call: an lseek and an 8 KB read per element
// header, 360 system calls per CT slice, 108 k reads and as many lseeks for a 300-slice
// series (strace -c; dcm2niix makes 3 k). Here a read inside the window costs a memcpy.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

namespace meridian::io::detail {

class FileWindow {
 public:
  explicit FileWindow(std::ifstream& in) : in_(in) {}

  /// Up to n bytes from `pos` (fewer only at the end of the file), like seekg + read.
  std::uint64_t read(std::uint64_t pos, unsigned char* out, std::uint64_t n) {
    if (n >= kSize) return direct(pos, out, n);  // a large value: no point in the buffer
    if (pos < start_ || pos + n > start_ + filled_) {
      if (pos >= start_ && pos < start_ + filled_ && filled_ < buffer_.size()) {
        // The window already reaches the end of the file: nothing more to read.
      } else {
        buffer_.resize(kSize);
        start_ = pos;
        filled_ = direct(pos, buffer_.data(), kSize);
      }
    }
    if (pos < start_ || pos >= start_ + filled_) return 0;
    const std::uint64_t got = std::min<std::uint64_t>(n, start_ + filled_ - pos);
    std::memcpy(out, buffer_.data() + (pos - start_), got);
    return got;
  }

 private:
  static constexpr std::uint64_t kSize = 16 * 1024;  // a CT or MR header fits; pixels are skipped

  std::uint64_t direct(std::uint64_t pos, unsigned char* out, std::uint64_t n) {
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(pos));
    in_.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
    return static_cast<std::uint64_t>(in_.gcount());
  }

  std::ifstream& in_;
  std::vector<unsigned char> buffer_;
  std::uint64_t start_ = 0, filled_ = 0;
};

}  // namespace meridian::io::detail
