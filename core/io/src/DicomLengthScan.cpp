#include "DicomLengthScan.hpp"
#include "DicomElementBytes.hpp"
#include "DicomStructureCheck.hpp"
#include "FileWindow.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include <zlib.h>

namespace meridian::io::detail {
namespace {

using core::ErrorCode;
using core::makeError;
using namespace dicom_bytes;

enum class Syntax { ExplicitLittle, ImplicitLittle, ExplicitBig, Stop };

// Random access to the bytes being walked: the file itself, or its inflated data set.
struct Bytes {
  FileWindow* file = nullptr;
  const std::vector<unsigned char>* memory = nullptr;
  std::uint64_t size = 0;

  std::uint64_t read(std::uint64_t pos, unsigned char* out, std::uint64_t n) const {
    if (pos >= size) return 0;
    n = std::min<std::uint64_t>(n, size - pos);
    if (memory) {
      std::memcpy(out, memory->data() + pos, n);
      return n;
    }
    return file->read(pos, out, n);
  }
};

// True when every byte from `pos` to the end is zero (zero padding, read as (0000,0000)).
bool onlyZerosFrom(const Bytes& bytes, std::uint64_t pos) {
  std::array<unsigned char, 65536> chunk{};
  while (pos < bytes.size) {
    const std::uint64_t got = bytes.read(pos, chunk.data(), chunk.size());
    if (got == 0) return false;
    for (std::uint64_t i = 0; i < got; ++i)
      if (chunk[i] != 0) return false;
    pos += got;
  }
  return true;
}

// Walks elements from `pos` in `syntax`; `inMeta` starts in the explicit-VR meta group and
// switches to the syntax it names.
core::Status walk(const Bytes& bytes, std::uint64_t pos, Syntax syntax, bool inMeta, std::ifstream& file,
                  std::uint64_t fileSize, DicomScanNotes& notes) {
  Syntax afterMeta = Syntax::ExplicitLittle;
  std::uint32_t lastTag = 0;  // data set tags ascend; a tag that does not is padding
  const bool inFile = bytes.file != nullptr;  // offsets in an inflated data set are not file offsets
  auto padding = [&](std::uint64_t at) {
    notes.paddingOffset = at;
    notes.paddingBytes = bytes.size - at;
    return core::Status(core::Ok{});
  };
  for (int elements = 0; pos < bytes.size && elements < 100000; ++elements) {
    if (inFile && !inMeta && notes.pixelDataSeen && pos + 8 > bytes.size) return padding(pos);  // a partial element header
    if (pos + 8 > bytes.size) break;
    std::array<unsigned char, 12> h{};
    const std::uint64_t got = bytes.read(pos, h.data(), 12);
    if (got < 8) break;
    const bool big = syntax == Syntax::ExplicitBig;
    const std::uint32_t group = read16(h.data(), big);
    if (inMeta && group != 0x0002) {  // the data set starts: switch to its syntax
      inMeta = false;
      // Deflated: checkDicomStructure walked the inflated bytes as they streamed (bounded),
      // lengths included; inflating them all into memory here was the bomb.
      if (afterMeta == Syntax::Stop) {
        notes.deflated = true;
        return core::Ok{};
      }
      syntax = afterMeta;
      continue;
    }
    const std::uint32_t element = read16(h.data() + 2, big);
    const std::uint32_t tag = (group << 16) | element;
    // After the Pixel Data, an element that does not parse is trailing padding; so is a
    // tag that goes backwards there, or a group-0000 tag anywhere (zeros; a file's data set
    // never holds the command group). Elsewhere a badly ordered tag is left to DCMTK.
    // (Only in the file itself: a deflated data set is walked as it always was.)
    const bool afterPixels = inFile && !inMeta && notes.pixelDataSeen;
    if (inFile && !inMeta && lastTag != 0 && tag <= lastTag && (afterPixels || (group == 0 && onlyZerosFrom(bytes, pos))))
      return padding(pos);
    if (group == 0xFFFE) return core::Ok{};  // item delimiters at top level: leave to DCMTK
    std::uint64_t headerBytes = 8, length = 0;
    if (syntax == Syntax::ImplicitLittle) {
      length = read32(h.data() + 4, false);
    } else {
      const std::string vr(reinterpret_cast<char*>(h.data()) + 4, 2);
      if (!isVr(h.data() + 4) && afterPixels) return padding(pos);
      if (!isVr(h.data() + 4))
        return makeError(ErrorCode::Corrupt, "element " + tagText(group, element) + " has an invalid value representation");
      if (longLength(vr)) {
        if (got < 12) return afterPixels ? padding(pos) : core::Status(core::Ok{});
        headerBytes = 12;
        length = read32(h.data() + 8, big);
      } else {
        length = read16(h.data() + 6, big);
      }
    }
    if (!inMeta && tag == 0x7FE00010u) notes.pixelDataSeen = true;
    if (length == 0xFFFFFFFFu && !inMeta && tag == 0x7FE00010u) {
      // Encapsulated pixel data: items of defined length up to the sequence delimiter; walk
      // them so that what follows (padding, or a truncation inside them) is seen too.
      std::uint64_t at = pos + headerBytes;
      for (;;) {
        std::array<unsigned char, 8> item{};
        if (bytes.read(at, item.data(), 8) < 8) return core::Ok{};  // cut short: DCMTK reports it
        const std::uint32_t itemTag = (read16(item.data(), big) << 16) | read16(item.data() + 2, big);
        const std::uint64_t itemLength = read32(item.data() + 4, big);
        if (itemTag == 0xFFFEE0DDu) break;
        if (itemTag != 0xFFFEE000u || itemLength == 0xFFFFFFFFu) return core::Ok{};  // leave to DCMTK
        if (at + 8 + itemLength > bytes.size) {
          notes.failedTag = tag;
          return makeError(ErrorCode::Corrupt, "a pixel data fragment claims " + std::to_string(itemLength) +
                                                   " bytes, but only " + std::to_string(bytes.size - at - 8) +
                                                   " remain (truncated or damaged)");
        }
        at += 8 + itemLength;
      }
      lastTag = tag;
      pos = at + 8;
      continue;
    }
    if (length == 0xFFFFFFFFu) return core::Ok{};  // undefined length (sequence, encapsulated pixels)
    // After the Pixel Data a length beyond the file's own size is noise, not an element
    // that was cut short (a real trailing element cut short keeps its sane length: refused).
    if (pos + headerBytes + length > bytes.size && afterPixels && length > bytes.size) return padding(pos);
    if (pos + headerBytes + length > bytes.size) notes.failedTag = tag;
    if (pos + headerBytes + length > bytes.size)
      return makeError(ErrorCode::Corrupt, "element " + tagText(group, element) + " claims " + std::to_string(length) +
                                               " bytes, but only " + std::to_string(bytes.size - pos - headerBytes) +
                                               " remain (truncated or damaged)");
    if (inMeta && element == 0x0010 && length < 80) {  // Transfer Syntax UID
      std::string uid(length, '\0');
      bytes.read(pos + headerBytes, reinterpret_cast<unsigned char*>(uid.data()), length);
      while (!uid.empty() && (uid.back() == '\0' || uid.back() == ' ')) uid.pop_back();
      afterMeta = uid == "1.2.840.10008.1.2"        ? Syntax::ImplicitLittle
                  : uid == "1.2.840.10008.1.2.2"    ? Syntax::ExplicitBig
                  : uid == "1.2.840.10008.1.2.1.99" ? Syntax::Stop  // deflated
                                                    : Syntax::ExplicitLittle;
    }
    if (inFile && !inMeta && tag == 0x7FE00010u) {  // native pixels: where their bytes lie in the file
      notes.pixelDataOffset = pos + headerBytes;
      notes.pixelDataLength = length;
      notes.bigEndian = big;
    }
    if (!inMeta) lastTag = tag;
    pos += headerBytes + length;
  }
  return core::Ok{};
}

}  // namespace

core::Status scanDicomLengths(const std::filesystem::path& path, DicomScanNotes* notesOut) {
  DicomScanNotes scratch;
  DicomScanNotes& notes = notesOut ? *notesOut : scratch;
  notes = DicomScanNotes{};
  // Nesting depth, element count and the deflated stream first (an explicit stack, no recursion).
  if (auto structure = checkDicomStructure(path); !structure) return structure;
  std::ifstream in;
  auto start = openFileStart(path, in);
  if (!start) return start.error();
  const auto& [size, part10, explicitVr, bigEndian] = start.value();
  // Without a preamble: the guessed syntax (openFileStart); with one, the meta group's.
  Syntax syntax = Syntax::ExplicitLittle;
  if (!part10) syntax = !explicitVr ? Syntax::ImplicitLittle : bigEndian ? Syntax::ExplicitBig : Syntax::ExplicitLittle;
  FileWindow window(in);
  const Bytes file{&window, nullptr, size};
  return walk(file, part10 ? 132 : 0, syntax, part10, in, size, notes);
}

}  // namespace meridian::io::detail
