#include "meridian/model/SafeTensorsWriter.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <set>

#include "meridian/core/AtomicFile.hpp"

namespace meridian::model {

core::Status writeSafeTensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                              const std::map<std::string, std::string>& metadata) {
  using core::ErrorCode;
  std::vector<const TensorToWrite*> sorted;
  std::set<std::string> names;
  for (const auto& t : tensors) {
    if (t.name.empty() || t.name == "__metadata__")
      return core::makeError(ErrorCode::InvalidArgument, "invalid tensor name '" + t.name + "'");
    if (!names.insert(t.name).second)
      return core::makeError(ErrorCode::InvalidArgument, "tensor '" + t.name + "' given twice");
    sorted.push_back(&t);
  }
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });

  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  std::vector<std::uint64_t> sizes;
  for (const auto* t : sorted) {
    std::uint64_t elements = 1;
    for (auto d : t->shape) {
      if (d < 0)
        return core::makeError(ErrorCode::InvalidArgument, "tensor '" + t->name + "' has a negative dimension");
      elements *= static_cast<std::uint64_t>(d);
    }
    const std::uint64_t bytes = elements * bytesPerElement(t->dtype);
    if (bytes > 0 && t->data == nullptr)
      return core::makeError(ErrorCode::InvalidArgument, "tensor '" + t->name + "' has no data");
    header[t->name] = {{"dtype", toString(t->dtype)}, {"shape", t->shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    sizes.push_back(bytes);
  }

  std::string json = header.dump();
  // Pad with spaces to 8 bytes so the data section is aligned, as the reference writer does.
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string contents;
  contents.reserve(8 + json.size() + offset);
  const std::uint64_t length = json.size();
  for (int i = 0; i < 8; ++i) contents.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  contents += json;
  for (std::size_t i = 0; i < sorted.size(); ++i)
    contents.append(static_cast<const char*>(sorted[i]->data), static_cast<std::size_t>(sizes[i]));
  return core::writeFileAtomically(path, contents);
}

}  // namespace meridian::model
