#include "meridian/model/SafeTensorsFile.hpp"

#include "meridian/core/RegularFile.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <limits>

namespace meridian::model {
namespace {

using core::ErrorCode;
using core::makeError;

core::Error corrupt(const std::filesystem::path& path, const std::string& what) {
  return makeError(ErrorCode::Corrupt, path.string() + ": not a valid safetensors file: " + what);
}

std::uint64_t readLittleEndian64(const unsigned char* bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

// Parses one tensor's header entry; every number is checked before it is used.
core::Result<TensorEntry> parseEntry(const std::filesystem::path& path, const std::string& name,
                                     const nlohmann::json& info, std::uint64_t dataSize) {
  const std::string where = "tensor '" + name + "'";
  if (!info.is_object()) return corrupt(path, where + " is not a JSON object");
  TensorEntry entry;
  entry.name = name;

  const auto dtype = info.find("dtype");
  if (dtype == info.end() || !dtype->is_string()) return corrupt(path, where + " has no dtype string");
  const auto parsed = parseTensorDType(dtype->get<std::string>());
  if (!parsed)
    return makeError(ErrorCode::Unsupported,
                     path.string() + ": " + where + " has dtype '" + dtype->get<std::string>() +
                         "', which Meridian does not read (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)");
  entry.dtype = *parsed;

  const auto shape = info.find("shape");
  if (shape == info.end() || !shape->is_array()) return corrupt(path, where + " has no shape array");
  // Element count with overflow checks: a shape can claim more elements than any file holds.
  std::uint64_t elements = 1;
  for (const auto& dim : *shape) {
    if (!dim.is_number_unsigned())
      return corrupt(path, where + " has a shape entry that is not a non-negative integer");
    const std::uint64_t d = dim.get<std::uint64_t>();
    if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return corrupt(path, where + " has an absurd dimension " + std::to_string(d));
    if (d != 0 && elements > dataSize / d + 1) return corrupt(path, where + " has a shape larger than the file");
    elements *= d;
    entry.shape.push_back(static_cast<std::int64_t>(d));
  }

  const auto offsets = info.find("data_offsets");
  if (offsets == info.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned())
    return corrupt(path, where + " needs data_offsets [begin, end] of two non-negative integers");
  entry.begin = (*offsets)[0].get<std::uint64_t>();
  entry.end = (*offsets)[1].get<std::uint64_t>();
  if (entry.begin > entry.end)
    return corrupt(path, where + " has data_offsets [" + std::to_string(entry.begin) + ", " +
                             std::to_string(entry.end) + "] that end before they begin");
  if (entry.end > dataSize)
    return corrupt(path, where + " has data_offsets ending at byte " + std::to_string(entry.end) +
                             " but the data section holds only " + std::to_string(dataSize) +
                             " bytes (truncated file?)");
  const std::uint64_t expected = elements * bytesPerElement(entry.dtype);
  if (elements != 0 && expected / elements != bytesPerElement(entry.dtype))
    return corrupt(path, where + " has a shape larger than the file");
  if (expected != entry.byteSize())
    return corrupt(path, where + ": shape × " + toString(entry.dtype) + " needs " + std::to_string(expected) +
                             " bytes but data_offsets span " + std::to_string(entry.byteSize()));
  return entry;
}

}  // namespace

std::int64_t TensorEntry::elementCount() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

core::Result<SafeTensorsFile> SafeTensorsFile::open(const std::filesystem::path& path) {
  // A FIFO would block the read forever, /dev/zero (or a link to it) claim anything.
  if (auto regular = core::checkRegularFile(path); !regular) return regular.error();
  std::error_code ec;
  const auto fileSize = std::filesystem::file_size(path, ec);
  if (ec) return makeError(ErrorCode::NotFound, path.string() + ": cannot read: " + ec.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(ErrorCode::Io, path.string() + ": cannot open for reading");
  if (fileSize < 8)
    return corrupt(path, "the file is " + std::to_string(fileSize) + " bytes, shorter than the 8-byte header length");

  unsigned char lengthBytes[8];
  if (!in.read(reinterpret_cast<char*>(lengthBytes), 8)) return corrupt(path, "cannot read the header length");
  const std::uint64_t headerLength = readLittleEndian64(lengthBytes);
  if (headerLength > kMaxHeaderBytes)
    return corrupt(path, "the header claims " + std::to_string(headerLength) + " bytes (more than the " +
                             std::to_string(kMaxHeaderBytes) + " accepted)");
  if (headerLength > fileSize - 8)
    return corrupt(path, "the header claims " + std::to_string(headerLength) + " bytes but the file has only " +
                             std::to_string(fileSize - 8) + " after the length field (truncated?)");

  std::string header(static_cast<std::size_t>(headerLength), '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(headerLength)))
    return corrupt(path, "cannot read the header");
  const nlohmann::json json = nlohmann::json::parse(header, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return corrupt(path, "the header is not valid JSON");
  if (!json.is_object()) return corrupt(path, "the header is not a JSON object");

  SafeTensorsFile file;
  file.path_ = path;
  file.dataStart_ = 8 + headerLength;
  file.dataSize_ = fileSize - file.dataStart_;
  for (const auto& [name, info] : json.items()) {
    if (name == "__metadata__") {
      if (!info.is_object()) return corrupt(path, "__metadata__ is not a JSON object");
      for (const auto& [key, value] : info.items()) {
        if (!value.is_string()) return corrupt(path, "__metadata__ value '" + key + "' is not a string");
        file.metadata_[key] = value.get<std::string>();
      }
      continue;
    }
    auto entry = parseEntry(path, name, info, file.dataSize_);
    if (!entry) return entry.error();
    file.entries_.push_back(std::move(entry).value());
  }

  // The tensors must tile the data section exactly: no overlaps (two tensors sharing
  // bytes), no gaps, nothing after the last one (the reference implementation's rule).
  std::vector<const TensorEntry*> byOffset;
  for (const auto& e : file.entries_) byOffset.push_back(&e);
  std::sort(byOffset.begin(), byOffset.end(), [](const TensorEntry* a, const TensorEntry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  std::uint64_t covered = 0;
  const TensorEntry* previous = nullptr;
  for (const TensorEntry* e : byOffset) {
    if (e->begin < covered)
      return corrupt(path, "tensors '" + previous->name + "' and '" + e->name + "' overlap (bytes " +
                               std::to_string(e->begin) + " to " + std::to_string(covered) + ")");
    if (e->begin > covered)
      return corrupt(path, "bytes " + std::to_string(covered) + " to " + std::to_string(e->begin) +
                               " of the data section belong to no tensor (before '" + e->name + "')");
    covered = e->end;
    previous = e;
  }
  if (covered != file.dataSize_)
    return corrupt(path, "the tensors cover " + std::to_string(covered) + " bytes but the data section has " +
                             std::to_string(file.dataSize_));

  std::sort(file.entries_.begin(), file.entries_.end(),
            [](const TensorEntry& a, const TensorEntry& b) { return a.name < b.name; });
  return file;
}

const TensorEntry* SafeTensorsFile::find(const std::string& name) const {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                                   [](const TensorEntry& e, const std::string& n) { return e.name < n; });
  return it != entries_.end() && it->name == name ? &*it : nullptr;
}

core::Status SafeTensorsFile::readBytes(const TensorEntry& entry, void* destination,
                                        std::uint64_t destinationSize) const {
  if (destinationSize != entry.byteSize())
    return makeError(ErrorCode::InvalidArgument, "tensor '" + entry.name + "' has " + std::to_string(entry.byteSize()) +
                                                     " bytes, buffer has " + std::to_string(destinationSize));
  if (entry.end > dataSize_) return corrupt(path_, "tensor '" + entry.name + "' lies outside the file");
  if (entry.byteSize() == 0) return core::Ok{};
  std::ifstream in(path_, std::ios::binary);
  if (!in) return makeError(ErrorCode::Io, path_.string() + ": cannot open for reading");
  in.seekg(static_cast<std::streamoff>(dataStart_ + entry.begin));
  if (!in.read(static_cast<char*>(destination), static_cast<std::streamsize>(entry.byteSize())))
    return corrupt(path_, "cannot read tensor '" + entry.name + "' (file changed or truncated since it was opened?)");
  return core::Ok{};
}

core::Result<std::vector<std::uint8_t>> SafeTensorsFile::readBytes(const TensorEntry& entry) const {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(entry.byteSize()));
  auto status = readBytes(entry, bytes.data(), bytes.size());
  if (!status) return status.error();
  return bytes;
}

}  // namespace meridian::model
