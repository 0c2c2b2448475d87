#include "meridian/io/ReaderRegistry.hpp"

#include <system_error>

#include "DcmtkReader.hpp"
#include "JpegReader.hpp"
#include "LibraryReaders.hpp"
#include "PngReader.hpp"
#include "TiffReader.hpp"
#include "meridian/core/Logging.hpp"
#include "meridian/core/RegularFile.hpp"
#include "meridian/io/ImageSummary.hpp"

namespace meridian::io {

const char* toString(ImageKind kind) {
  switch (kind) {
    case ImageKind::Image: return "image";
    case ImageKind::Volume: return "volume";
    case ImageKind::Slide: return "slide";
  }
  return "unknown";
}

const ReaderRegistry& ReaderRegistry::builtin() {
  static const ReaderRegistry registry = [] {
    ReaderRegistry r;
    r.add(std::make_unique<DcmtkReader>());
    r.add(std::make_unique<JpegReader>());
    r.add(std::make_unique<PngReader>());
    r.add(std::make_unique<TiffReader>());
    // Their libraries load on first use (issue 16): OpenSlide for files that may be slides,
    // ITK for files no reader above claims (LibraryReaders.hpp).
    r.add(detail::makeOpenSlideLibraryReader());
    r.add(detail::makeItkLibraryReader());
    return r;
  }();
  return registry;
}

void ReaderRegistry::add(std::unique_ptr<ImageReader> reader) { readers_.push_back(std::move(reader)); }

const ImageReader* ReaderRegistry::find(const std::filesystem::path& path) const {
  // Every detect() opens the file: a FIFO in a scanned folder would block the scan forever.
  if (!core::checkRegularFile(path)) return nullptr;
  const ImageReader* best = nullptr;
  double bestScore = 0.0;
  for (const auto& reader : readers_) {
    if (reader->maxScore() <= bestScore) continue;  // cannot win: not asked (nor its library loaded)
    const double score = reader->detect(path);
    if (score > bestScore) {
      best = reader.get();
      bestScore = score;
    }
  }
  return best;
}

core::Result<const ImageReader*> ReaderRegistry::readerFor(const std::filesystem::path& path) const {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return core::makeError(core::ErrorCode::Unsupported, path.string() + ": is a folder, not an image file");
  // A FIFO would block detect() forever and /dev/zero would never end: judged by type first.
  if (auto regular = core::checkRegularFile(path); !regular) return regular.error();
  const ImageReader* reader = find(path);
  if (!reader)
    return core::makeError(core::ErrorCode::Unsupported,
                           path.string() + ": not a format Meridian reads (no reader recognised its contents)");
  core::logging::get(core::logging::Layer::Core)->debug("{}: reading with {}", path.string(), reader->name());
  return reader;
}

core::Result<OpenedImage> ReaderRegistry::open(const std::filesystem::path& path) const {
  auto reader = readerFor(path);
  if (!reader) return reader.error();
  auto result = reader.value()->open(path);
  if (!result) return core::makeError(result.error().code, path.string() + ": " + result.error().message);
  return result;
}

core::Result<ImageSummary> ReaderRegistry::describe(const std::filesystem::path& path) const {
  auto reader = readerFor(path);
  if (!reader) return reader.error();
  auto result = reader.value()->describe(path);
  if (!result) return core::makeError(result.error().code, path.string() + ": " + result.error().message);
  return result;
}

core::Result<ImageSummary> describeFile(const std::filesystem::path& path) {
  return ReaderRegistry::builtin().describe(path);
}

}  // namespace meridian::io
