#include "OpenSlideReader.hpp"

#include <openslide.h>

#include "AperioPyramidCheck.hpp"
#include "DecodedSizeLimit.hpp"
#include "meridian/io/ImageSummary.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>

namespace meridian::io {
namespace {

using core::ErrorCode;
using core::makeError;

struct SlideCloser {
  void operator()(openslide_t* osr) const { openslide_close(osr); }
};
using SlideHandle = std::unique_ptr<openslide_t, SlideCloser>;

// Premultiplied ARGB (OpenSlide's layout) to RGB, compositing over white, as viewers do.
void argbToRgb(const std::uint32_t* argb, std::size_t count, std::uint8_t* rgb) {
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t p = argb[i];
    const unsigned a = p >> 24;
    const unsigned channel[3] = {(p >> 16) & 0xffu, (p >> 8) & 0xffu, p & 0xffu};
    for (int c = 0; c < 3; ++c) rgb[i * 3 + c] = static_cast<std::uint8_t>(std::min(255u, channel[c] + (255u - a)));
  }
}

std::atomic<std::uint64_t> handlesOpenedSoFar{0};

SlideHandle openHandle(const std::filesystem::path& path) {
  ++handlesOpenedSoFar;
  return SlideHandle(openslide_open(path.c_str()));
}

// OpenSlide handles for concurrent reads. One handle is thread-safe, but its tile cache and
// TIFF handle pool sit behind locks that two busy threads contend for; one handle per reading
// thread scales better. The handle the slide was opened with is the pool's first, so reads
// from one thread never parse the file a second time (opening a slide reads its whole TIFF
// directory chain: the largest cost of a first read). A handle whose (sticky) error is set is
// dropped instead of returned, so a transient failure does not poison later reads.
class HandlePool {
 public:
  explicit HandlePool(std::filesystem::path path) : path_(std::move(path)) {}

  void adopt(SlideHandle handle) { release(std::move(handle)); }

  class Lease {
   public:
    Lease(HandlePool& pool, SlideHandle handle) : pool_(pool), handle_(std::move(handle)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (handle_) pool_.release(std::move(handle_));
    }
    openslide_t* get() const { return handle_.get(); }

   private:
    HandlePool& pool_;
    SlideHandle handle_;
  };

  Lease acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        SlideHandle h = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(h));
      }
    }
    return Lease(*this, openHandle(path_));
  }

 private:
  void release(SlideHandle handle) {
    if (openslide_get_error(handle.get())) return;  // closes it
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(handle));
  }

  std::filesystem::path path_;
  std::mutex mutex_;
  std::vector<SlideHandle> idle_;
};

class OpenSlideSource final : public core::SlideSource {
 public:
  static core::Result<std::shared_ptr<core::SlideSource>> open(const std::filesystem::path& path) {
    if (const char* vendor = openslide_detect_vendor(path.c_str()); vendor && std::strcmp(vendor, "aperio") == 0)
      if (auto pyramid = detail::checkAperioPyramid(path); !pyramid) return pyramid.error();
    SlideHandle osr = openHandle(path);
    if (!osr) return makeError(ErrorCode::Unsupported, "OpenSlide does not recognise this file as a slide");
    if (const char* err = openslide_get_error(osr.get())) return makeError(ErrorCode::Corrupt, std::string("OpenSlide: ") + err);
    auto source = std::shared_ptr<OpenSlideSource>(new OpenSlideSource(path));
    if (auto status = source->loadMetadata(osr.get()); !status) return status.error();
    source->handles_.adopt(std::move(osr));
    return std::shared_ptr<core::SlideSource>(std::move(source));
  }

  std::string vendor() const override { return vendor_; }
  const std::vector<core::SlideLevel>& levels() const override { return levels_; }
  std::optional<std::array<double, 2>> micronsPerPixel() const override { return mpp_; }
  const std::map<std::string, std::string>& properties() const override { return properties_; }

  std::vector<std::string> associatedImageNames() const override { return associatedNames_; }

  core::Result<core::Image2D> readAssociatedImage(const std::string& name) const override {
    const auto lease = handles_.acquire();
    if (!lease.get()) return makeError(ErrorCode::Io, "OpenSlide cannot reopen the slide file");
    int64_t w = -1, h = -1;
    openslide_get_associated_image_dimensions(lease.get(), name.c_str(), &w, &h);
    if (w <= 0 || h <= 0) return makeError(ErrorCode::NotFound, "slide has no associated image '" + name + "'");
    // The same decoded-size rule as every other reader, before OpenSlide and libtiff allocate.
    const std::string claimed = "associated image '" + name + "' of " + std::to_string(w) + "x" + std::to_string(h);
    auto decoded = detail::claimedBytes({static_cast<std::uint64_t>(w), static_cast<std::uint64_t>(h), 4}, claimed);
    if (!decoded) return decoded.error();
    if (auto fits = detail::checkDecodedSize(decoded.value(), dataBytes_, detail::kAssociatedImageLimit, claimed); !fits)
      return fits.error();
    std::vector<std::uint32_t> argb(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
    openslide_read_associated_image(lease.get(), name.c_str(), argb.data());
    return toImage(argb, static_cast<int>(w), static_cast<int>(h), lease.get());
  }

  core::Result<core::Image2D> readRegion(int level, std::int64_t x, std::int64_t y, int width,
                                         int height) const override {
    if (level < 0 || level >= static_cast<int>(levels_.size()))
      return makeError(ErrorCode::InvalidArgument, "level " + std::to_string(level) + " does not exist (slide has " +
                                                       std::to_string(levels_.size()) + ")");
    if (width <= 0 || height <= 0 || static_cast<std::int64_t>(width) * height > (256LL << 20))
      return makeError(ErrorCode::InvalidArgument, "region size " + std::to_string(width) + "x" + std::to_string(height) +
                                                       " is empty or larger than 256 Mpixel");
    std::vector<std::uint32_t> argb(static_cast<std::size_t>(width) * height);
    const auto lease = handles_.acquire();
    if (!lease.get()) return makeError(ErrorCode::Io, "OpenSlide cannot reopen the slide file");
    openslide_read_region(lease.get(), argb.data(), x, y, level, width, height);
    return toImage(argb, width, height, lease.get());
  }

 private:
  explicit OpenSlideSource(const std::filesystem::path& path) : path_(path), handles_(path) {}

  // Levels, properties and associated image names: read once, from the handle the slide was
  // opened with, before the handle goes into the pool.
  core::Status loadMetadata(openslide_t* osr) {
    const int count = openslide_get_level_count(osr);
    if (count <= 0) return makeError(ErrorCode::Corrupt, "slide has no pyramid levels");
    for (int i = 0; i < count; ++i) {
      core::SlideLevel level;
      openslide_get_level_dimensions(osr, i, &level.width, &level.height);
      level.downsample = openslide_get_level_downsample(osr, i);
      if (level.width <= 0 || level.height <= 0) return makeError(ErrorCode::Corrupt, "level " + std::to_string(i) + " has no size");
      // TIFF sizes are 32-bit unsigned, so a damaged header can claim 4294967295 x 4294967295,
      // whose pixel count wraps a signed 64-bit product (the overview's size check, the viewer's
      // tile grid). The largest real slides are a few hundred thousand pixels a side.
      constexpr std::int64_t kMaxLevelSide = std::numeric_limits<std::int32_t>::max();
      if (level.width > kMaxLevelSide || level.height > kMaxLevelSide)
        return makeError(ErrorCode::Corrupt, "level " + std::to_string(i) + " claims " + std::to_string(level.width) +
                                                 "x" + std::to_string(level.height) +
                                                 " pixels, more than any slide (damaged or hostile file)");
      if (auto tile = checkTileSize(osr, i); !tile) return tile.error();
      levels_.push_back(level);
    }
    for (const char* const* n = openslide_get_property_names(osr); n && *n; ++n)
      if (const char* v = openslide_get_property_value(osr, *n)) properties_[*n] = v;
    for (const char* const* n = openslide_get_associated_image_names(osr); n && *n; ++n) associatedNames_.emplace_back(*n);
    if (auto it = properties_.find(OPENSLIDE_PROPERTY_NAME_VENDOR); it != properties_.end()) vendor_ = it->second;
    dataBytes_ = slideDataBytes();
    const auto number = [&](const char* key) -> std::optional<double> {
      auto it = properties_.find(key);
      if (it == properties_.end()) return std::nullopt;
      try { return std::stod(it->second); } catch (const std::exception&) { return std::nullopt; }
    };
    if (auto mx = number(OPENSLIDE_PROPERTY_NAME_MPP_X), my = number(OPENSLIDE_PROPERTY_NAME_MPP_Y); mx && my && *mx > 0 && *my > 0)
      mpp_ = std::array<double, 2>{*mx, *my};
    return core::Ok{};
  }

  // The bytes an associated image's decoded size is weighed against: the file's size when
  // the slide is that one file. MIRAX (.mrxs) and Hamamatsu VMS/VMU keep their pixels in
  // sibling files, so a small index file says nothing: only the absolute cap applies there.
  std::uint64_t slideDataBytes() const {
    std::string extension = path_.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    if (vendor_ == "mirax" || (vendor_ == "hamamatsu" && extension != ".ndpi"))
      return std::numeric_limits<std::uint64_t>::max() / 2;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path_, ec);
    return ec ? 0 : size;  // unreadable size: the ratio then refuses anything above its floor
  }

  // OpenSlide allocates one tile's ARGB pixels with g_slice_alloc, which aborts the process
  // when the allocation fails: a 22 KB TIFF whose level claimed tiles of 16 x 134,217,744
  // asked for 8 GiB and died by SIGTRAP under a memory limit (found by fuzz_slide). Real
  // tiles are 240 to 4096 pixels square; refuse one over 64 Mpixel before any read.
  static core::Status checkTileSize(openslide_t* osr, int level) {
    const std::string prefix = "openslide.level[" + std::to_string(level) + "].tile-";
    const char* w = openslide_get_property_value(osr, (prefix + "width").c_str());
    const char* h = openslide_get_property_value(osr, (prefix + "height").c_str());
    if (!w || !h) return core::Ok{};  // not a tiled level (OpenSlide says no fixed tile size)
    const unsigned long long tw = std::strtoull(w, nullptr, 10), th = std::strtoull(h, nullptr, 10);
    constexpr unsigned long long kMaxTilePixels = 64ULL << 20;
    if (tw > kMaxTilePixels || th > kMaxTilePixels || tw * th > kMaxTilePixels)
      return makeError(ErrorCode::Corrupt, "level " + std::to_string(level) + " claims tiles of " + w + "x" + h +
                                               " pixels, more than the 64 Mpixel a real slide's tile holds");
    return core::Ok{};
  }

  core::Result<core::Image2D> toImage(const std::vector<std::uint32_t>& argb, int w, int h, openslide_t* osr) const {
    // OpenSlide's errors are sticky: once set, every later read returns transparent pixels.
    if (const char* err = openslide_get_error(osr)) return makeError(ErrorCode::Corrupt, std::string("OpenSlide: ") + err);
    auto image = core::Image2D::allocate(w, h, 3, core::PixelType::UInt8);
    if (!image) return image.error();
    core::Image2D out = std::move(image).value();
    argbToRgb(argb.data(), argb.size(), out.data());
    out.photometric = "RGB";
    return out;
  }

  std::filesystem::path path_;
  std::uint64_t dataBytes_ = 0;       // see slideDataBytes()
  mutable HandlePool handles_;        // region and associated-image reads
  std::string vendor_ = "unknown";
  std::vector<core::SlideLevel> levels_;
  std::map<std::string, std::string> properties_;
  std::vector<std::string> associatedNames_;
  std::optional<std::array<double, 2>> mpp_;
};

}  // namespace

std::uint64_t OpenSlideReader::handlesOpened() { return handlesOpenedSoFar.load(); }

double OpenSlideReader::detect(const std::filesystem::path& path) const {
  // Generic TIFF is claimed only when tiled; plain TIFFs fall through to the raster reader.
  return openslide_detect_vendor(path.c_str()) ? 0.9 : 0.0;
}

core::Result<OpenedImage> OpenSlideReader::open(const std::filesystem::path& path) const {
  auto source = OpenSlideSource::open(path);
  if (!source) return source.error();
  OpenedImage opened;
  opened.format = source.value()->vendor();
  opened.content = std::move(source).value();
  return opened;
}

core::Result<ImageSummary> OpenSlideReader::describe(const std::filesystem::path& path) const {
  // Opening a slide reads its properties and level table only; tiles are read on demand.
  auto opened = open(path);
  if (!opened) return opened.error();
  return summarize(opened.value());
}

}  // namespace meridian::io
