#include "DicomStructureCheck.hpp"

#include <dcmtk/dcmdata/dctag.h>

#include <zlib.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "DecodedSizeLimit.hpp"
#include "DicomElementBytes.hpp"
#include "FileWindow.hpp"

namespace meridian::io::detail {
namespace {

using core::ErrorCode;
using core::makeError;
using namespace dicom_bytes;

constexpr std::uint64_t kUndefined = 0xFFFFFFFFu;

enum class Syntax { ExplicitLittle, ImplicitLittle, ExplicitBig };

// Sequential bytes with a position: the file itself, or the inflated data set.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::size_t read(unsigned char* out, std::size_t n) = 0;
  virtual bool skip(std::uint64_t n) = 0;  // false when the data ends first
  virtual const char* failure() const { return nullptr; }  // a decoder's error, when it had one
  std::uint64_t pos = 0;
};

class FileSource final : public Source {
 public:
  FileSource(std::ifstream& in, std::uint64_t size) : window_(in), size_(size) {}
  std::size_t read(unsigned char* out, std::size_t n) override {
    const auto got = static_cast<std::size_t>(window_.read(pos, out, n));
    pos += got;
    return got;
  }
  bool skip(std::uint64_t n) override {
    if (n > size_ - std::min(pos, size_)) return false;
    pos += n;
    return true;
  }
  void seek(std::uint64_t to) { pos = to; }

 private:
  FileWindow window_;  // seekg + read per element header was 2 system calls each
  std::uint64_t size_;
};

// Raw deflate (transfer syntax 1.2.840.10008.1.2.1.99) inflated as it is read, never held
// whole: skipping an element costs inflation time but no memory.
class InflateSource final : public Source {
 public:
  InflateSource(std::ifstream& in, std::uint64_t from) : in_(in) {
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(from));
    ok_ = inflateInit2(&z_, -MAX_WBITS) == Z_OK;
    if (!ok_) failure_ = "zlib cannot start";
  }
  ~InflateSource() override {
    if (ok_) inflateEnd(&z_);
  }
  std::size_t read(unsigned char* out, std::size_t n) override {
    std::size_t got = 0;
    while (got < n && !ended_ && !failure_) {
      if (z_.avail_in == 0) {
        in_.read(reinterpret_cast<char*>(input_.data()), static_cast<std::streamsize>(input_.size()));
        z_.next_in = input_.data();
        z_.avail_in = static_cast<uInt>(in_.gcount());
        if (z_.avail_in == 0) {
          failure_ = "the deflated data set ends early (truncated)";
          break;
        }
      }
      z_.next_out = out + got;
      z_.avail_out = static_cast<uInt>(n - got);
      const int status = inflate(&z_, Z_NO_FLUSH);
      got = n - z_.avail_out;
      if (status == Z_STREAM_END) ended_ = true;
      else if (status != Z_OK && status != Z_BUF_ERROR) failure_ = "the deflated data set is damaged (zlib cannot inflate it)";
    }
    pos += got;
    return got;
  }
  bool skip(std::uint64_t n) override {
    std::array<unsigned char, 1 << 16> scratch{};
    while (n > 0) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(n, scratch.size()));
      const std::size_t got = read(scratch.data(), want);
      if (got < want) return false;
      n -= got;
    }
    return true;
  }
  const char* failure() const override { return failure_; }

 private:
  std::ifstream& in_;
  z_stream z_{};
  bool ok_ = false, ended_ = false;
  const char* failure_ = nullptr;
  std::array<unsigned char, 1 << 16> input_{};
};

struct Container {
  enum Kind { Sequence, Item, Fragments } kind;
  std::uint64_t end;  // position after its last byte, or kUndefined (ends at a delimiter)
  Syntax syntax;      // of the elements inside (an explicit-VR UN sequence holds implicit VR)
};

// The pixel bytes a data set's top-level attributes declare, read as the walk passes them.
struct PixelClaim {
  std::uint64_t rows = 0, columns = 0, samples = 1, bitsAllocated = 0, frames = 1;
  std::uint64_t bytes() const {
    return checkedProduct({rows, columns, samples, (bitsAllocated + 7) / 8, frames}).value_or(~0ULL);
  }
};

class Walker {
 public:
  Walker(std::ifstream& in, std::uint64_t fileSize, const DicomStructureLimits& limits)
      : in_(in), file_(in, fileSize), limits_(limits) {}

  core::Status run(bool part10, Syntax guessed) {
    file_.seek(part10 ? 132 : 0);
    src_ = &file_;
    syntax_ = part10 ? Syntax::ExplicitLittle : guessed;
    inMeta_ = part10;
    for (;;) {
      // Close the defined-length containers that end here.
      while (!stack_.empty() && stack_.back().end != kUndefined && src_->pos >= stack_.back().end) {
        if (src_->pos > stack_.back().end)
          return corrupt(std::string("an element runs past the end of its ") + name(stack_.back()) +
                         " (damaged lengths)");
        stack_.pop_back();
      }
      if (deflated_ && src_->pos > inflateCap())
        return corrupt("the deflated data set inflates beyond the " + std::to_string(inflateCap() >> 20) +
                       " MiB its pixel attributes allow (a decompression bomb)");
      const Syntax syntax = stack_.empty() ? syntax_ : stack_.back().syntax;
      const bool big = syntax == Syntax::ExplicitBig;
      std::array<unsigned char, 8> h{};
      if (src_->read(h.data(), 8) < 8) {
        if (src_->failure()) return corrupt(src_->failure());
        if (stack_.empty()) return core::Ok{};
        return corrupt("the file ends inside a sequence (truncated)");
      }
      const std::uint32_t group = read16(h.data(), big), element = read16(h.data() + 2, big);
      if (inMeta_ && group != 0x0002) {  // the data set starts: its transfer syntax applies
        inMeta_ = false;
        const std::uint64_t start = src_->pos - 8;
        if (afterMeta_ == kDeflated) {
          inflated_ = std::make_unique<InflateSource>(in_, start);
          src_ = inflated_.get();
          deflated_ = true;
          syntax_ = Syntax::ExplicitLittle;
        } else {
          file_.seek(start);
          syntax_ = afterMeta_ == kImplicit ? Syntax::ImplicitLittle
                    : afterMeta_ == kBig    ? Syntax::ExplicitBig
                                            : Syntax::ExplicitLittle;
        }
        continue;
      }
      if (++elements_ > limits_.maxElements)
        return corrupt("more than " + std::to_string(limits_.maxElements) + " data elements and items");
      if (group == 0xFFFE) {
        if (stack_.empty() && !deflated_) return core::Ok{};  // not DICOM's structure: left to the length scan and DCMTK
        if (stack_.empty()) return corrupt("an item tag outside any sequence");
        if (auto status = itemTag(element, read32(h.data() + 4, big)); !status) return status;
        continue;
      }
      if (!stack_.empty() && stack_.back().kind != Container::Item)
        return corrupt("element " + tagText(group, element) + " stands directly in a " + name(stack_.back()) +
                       ", where only items belong (damaged)");
      std::string vr;
      std::uint64_t length = 0;
      if (syntax == Syntax::ImplicitLittle) {
        length = read32(h.data() + 4, false);
      } else {
        if (!isVr(h.data() + 4)) {
          if (stack_.empty() && !deflated_) return core::Ok{};  // top level: the length scan names it
          return corrupt("element " + tagText(group, element) + " has an invalid value representation");
        }
        vr.assign(reinterpret_cast<const char*>(h.data()) + 4, 2);
        if (longLength(vr)) {
          std::array<unsigned char, 4> l{};
          if (src_->read(l.data(), 4) < 4) return truncatedAt(group, element);
          length = read32(l.data(), big);
        } else {
          length = read16(h.data() + 6, big);
        }
      }
      if (auto status = dataElement(group, element, vr, syntax, length); !status) return status;
    }
  }

 private:
  enum { kExplicit, kImplicit, kBig, kDeflated };

  static const char* name(const Container& c) {
    return c.kind == Container::Item ? "item" : c.kind == Container::Sequence ? "sequence" : "pixel fragment list";
  }

  core::Status corrupt(const std::string& why) const {
    return makeError(ErrorCode::Corrupt, "DICOM structure: " + why);
  }
  core::Status truncatedAt(std::uint32_t group, std::uint32_t element) const {
    if (src_->failure()) return corrupt(src_->failure());
    return corrupt("element " + tagText(group, element) + " runs past the end of the data (truncated or damaged)");
  }

  std::uint64_t inflateCap() const {
    const std::uint64_t pixels = claim_.bytes();
    return pixels > ~0ULL - limits_.maxInflatedOverhead ? ~0ULL : pixels + limits_.maxInflatedOverhead;
  }

  core::Status push(Container c) {
    if (static_cast<int>(stack_.size()) >= limits_.maxDepth)
      return corrupt("sequences nested more than " + std::to_string(limits_.maxDepth) +
                     " deep (real objects stay under ten; refused before the parser recurses into them)");
    stack_.push_back(c);
    return core::Ok{};
  }

  // (FFFE,E000) item, (FFFE,E00D) item end, (FFFE,E0DD) sequence end, inside a container.
  core::Status itemTag(std::uint32_t element, std::uint64_t length) {
    Container& top = stack_.back();
    if (element == 0xE000) {
      if (top.kind == Container::Item) return corrupt("an item inside an item, outside any sequence");
      if (top.kind == Container::Fragments) {
        if (length == kUndefined) return corrupt("a pixel fragment of undefined length");
        if (!src_->skip(length)) return truncatedAt(0xFFFE, 0xE000);
        return core::Ok{};
      }
      return push({Container::Item, length == kUndefined ? kUndefined : src_->pos + length, top.syntax});
    }
    if (element == 0xE00D) {
      if (top.kind != Container::Item || top.end != kUndefined)
        return corrupt("an item delimiter where no item of undefined length is open");
      stack_.pop_back();
      return core::Ok{};
    }
    if (element == 0xE0DD) {
      if (top.kind == Container::Item || top.end != kUndefined)
        return corrupt("a sequence delimiter where no sequence of undefined length is open");
      stack_.pop_back();
      return core::Ok{};
    }
    return corrupt("unknown item tag " + tagText(0xFFFE, element));
  }

  // One data element's header has been read; its value follows.
  core::Status dataElement(std::uint32_t group, std::uint32_t element, const std::string& vr, Syntax syntax,
                        std::uint64_t length) {
    const bool implicit = syntax == Syntax::ImplicitLittle;
    const bool pixelData = group == 0x7FE0 && element == 0x0010;
    if (length == kUndefined) {
      // DCMTK reads an undefined length as a sequence, except pixel data (fragments); an
      // explicit-VR UN of undefined length holds implicit-VR elements.
      const bool fragments = pixelData ? true : (!implicit && vr != "SQ" && vr != "UN");
      const Syntax inside = (!implicit && vr == "UN") ? Syntax::ImplicitLittle : syntax;
      return push({fragments ? Container::Fragments : Container::Sequence, kUndefined, inside});
    }
    const bool sequence =
        vr == "SQ" || (implicit && DcmTag(DcmTagKey(static_cast<Uint16>(group), static_cast<Uint16>(element))).getEVR() == EVR_SQ);
    if (sequence) return push({Container::Sequence, src_->pos + length, syntax});
    if (deflated_ && src_->pos + length > inflateCap())
      return corrupt("element " + tagText(group, element) + " claims " + std::to_string(length >> 20) +
                     " MiB, more than its pixel attributes allow in a deflated data set (a decompression bomb)");
    const bool meta = inMeta_ && group == 0x0002 && element == 0x0010;
    const bool pixelAttribute = stack_.empty() && group == 0x0028 &&
                                (element == 0x0002 || element == 0x0008 || element == 0x0010 || element == 0x0011 ||
                                 element == 0x0100);
    if ((meta || pixelAttribute) && length <= 64) {
      std::array<unsigned char, 64> value{};
      if (src_->read(value.data(), length) < length) return truncatedAt(group, element);
      if (meta) noteTransferSyntax(std::string(reinterpret_cast<char*>(value.data()), length));
      else notePixelAttribute(element, value.data(), length, syntax == Syntax::ExplicitBig);
      return core::Ok{};
    }
    if (!src_->skip(length)) {
      // Outside deflate, a top-level length past the end is the length scan's to report.
      if (stack_.empty() && !deflated_) return core::Ok{};
      return truncatedAt(group, element);
    }
    return core::Ok{};
  }

  void noteTransferSyntax(std::string uid) {
    while (!uid.empty() && (uid.back() == '\0' || uid.back() == ' ')) uid.pop_back();
    afterMeta_ = uid == "1.2.840.10008.1.2"        ? kImplicit
                 : uid == "1.2.840.10008.1.2.2"    ? kBig
                 : uid == "1.2.840.10008.1.2.1.99" ? kDeflated
                                                   : kExplicit;
  }

  void notePixelAttribute(std::uint32_t element, const unsigned char* value, std::uint64_t length, bool big) {
    if (element == 0x0008) {  // Number of Frames, an integer string
      claim_.frames = std::max<std::uint64_t>(1, std::strtoull(std::string(reinterpret_cast<const char*>(value), length).c_str(), nullptr, 10));
      return;
    }
    if (length < 2) return;
    const std::uint64_t v = read16(value, big);
    if (element == 0x0002) claim_.samples = std::max<std::uint64_t>(1, v);
    if (element == 0x0010) claim_.rows = v;
    if (element == 0x0011) claim_.columns = v;
    if (element == 0x0100) claim_.bitsAllocated = v;
  }

  std::ifstream& in_;
  FileSource file_;
  std::unique_ptr<InflateSource> inflated_;
  Source* src_ = nullptr;
  const DicomStructureLimits& limits_;
  std::vector<Container> stack_;
  Syntax syntax_ = Syntax::ExplicitLittle;
  bool inMeta_ = false, deflated_ = false;
  int afterMeta_ = kExplicit;
  std::uint64_t elements_ = 0;
  PixelClaim claim_;
};

}  // namespace

core::Status checkDicomStructure(const std::filesystem::path& path, const DicomStructureLimits& limits) {
  std::ifstream in;
  auto start = openFileStart(path, in);
  if (!start) return start.error();
  const auto& [size, part10, explicitVr, bigEndian] = start.value();
  // Without a preamble, the same guess as the length scan (openFileStart).
  const Syntax guessed = !explicitVr ? Syntax::ImplicitLittle : bigEndian ? Syntax::ExplicitBig : Syntax::ExplicitLittle;
  Walker walker(in, size, limits);
  return walker.run(part10, guessed);
}

}  // namespace meridian::io::detail
