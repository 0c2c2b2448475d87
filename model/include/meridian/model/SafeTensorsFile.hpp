#pragma once
// Reader for the safetensors format (https://github.com/huggingface/safetensors): an
// 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape
// and byte range, then the raw little-endian data. Never pickle: loading a pickle is
// code execution. open() reads and validates only the header against the file size;
// tensor bytes are read on demand straight into the caller's buffer, so a header that
// claims absurd sizes is refused before anything is allocated for it.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/model/TensorDType.hpp"

namespace meridian::model {

struct TensorEntry {
  std::string name;
  TensorDType dtype = TensorDType::F32;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;  // byte offsets relative to the start of the data section
  std::uint64_t end = 0;

  std::uint64_t byteSize() const { return end - begin; }
  std::int64_t elementCount() const;
};

class SafeTensorsFile {
 public:
  /// Largest JSON header accepted (the format's own reference implementation uses 100 MB).
  static constexpr std::uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;

  static core::Result<SafeTensorsFile> open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  /// Entries sorted by name.
  const std::vector<TensorEntry>& entries() const { return entries_; }
  /// nullptr when there is no tensor of that name.
  const TensorEntry* find(const std::string& name) const;
  /// The optional "__metadata__" string map.
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  /// Reads the tensor's bytes into `destination`, which must hold entry.byteSize() bytes.
  core::Status readBytes(const TensorEntry& entry, void* destination, std::uint64_t destinationSize) const;
  /// Convenience: the tensor's bytes in a new buffer.
  core::Result<std::vector<std::uint8_t>> readBytes(const TensorEntry& entry) const;

 private:
  std::filesystem::path path_;
  std::uint64_t dataStart_ = 0;  // 8 + header length
  std::uint64_t dataSize_ = 0;
  std::vector<TensorEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace meridian::model
