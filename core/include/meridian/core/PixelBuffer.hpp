#pragma once
// Owned pixel memory with value semantics (copies are deep) that can be allocated
// without zero-filling: a reader that writes every byte anyway (a 300-slice CT is
// 150 MB) should not pay for clearing it first, and its threads then touch the pages.

#include <cstdint>
#include <cstring>
#include <memory>

namespace meridian::core {

class PixelBuffer {
 public:
  enum class Init { Zero, Uninitialized };

  PixelBuffer() = default;
  PixelBuffer(std::size_t bytes, Init init)
      : data_(init == Init::Zero ? new std::uint8_t[bytes]() : new std::uint8_t[bytes]), size_(bytes) {}
  PixelBuffer(const PixelBuffer& other) : PixelBuffer(other.size_, Init::Uninitialized) {
    if (size_) std::memcpy(data_.get(), other.data_.get(), size_);
  }
  PixelBuffer& operator=(const PixelBuffer& other) {
    if (this != &other) *this = PixelBuffer(other);
    return *this;
  }
  PixelBuffer(PixelBuffer&& other) noexcept : data_(std::move(other.data_)), size_(other.size_) { other.size_ = 0; }
  PixelBuffer& operator=(PixelBuffer&& other) noexcept {
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
    return *this;
  }

  std::uint8_t* data() { return data_.get(); }
  const std::uint8_t* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
};

}  // namespace meridian::core
