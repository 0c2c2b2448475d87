#include "LibraryReaders.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <mutex>

#include "IoLibrary.hpp"
#include "ItkLibrary.hpp"
#include "OpenSlideLibrary.hpp"
#include "meridian/io/ImageSummary.hpp"

namespace meridian::io::detail {
namespace {

template <class Table>
core::Result<const Table*> loadTable(const char* file, const char* entry) {
  auto table = loadIoLibrary(file, entry, sizeof(Table));
  if (!table) return table.error();
  const auto* t = static_cast<const Table*>(table.value());
  if (t->layout != kIoLayout)
    return core::makeError(core::ErrorCode::Internal, std::string(file) +
                                                          ": built from other sources than this program (its image "
                                                          "structures differ); reinstall Meridian");
  return t;
}

using ReaderLoad = core::Result<const ImageReader*> (*)();

// A reader whose implementation is in a library loaded on first use.
class LibraryReader final : public ImageReader {
 public:
  LibraryReader(std::string name, double maxScore, bool (*mightRead)(const std::filesystem::path&), ReaderLoad load)
      : name_(std::move(name)), maxScore_(maxScore), mightRead_(mightRead), load_(load) {}

  std::string name() const override { return name_; }
  double maxScore() const override { return maxScore_; }

  double detect(const std::filesystem::path& path) const override {
    if (mightRead_ != nullptr && !mightRead_(path)) return 0.0;
    auto reader = load_();
    // A library that is missing or broken still claims the file, faintly, so that open()
    // says what is missing instead of "not a format Meridian reads".
    if (!reader) return 0.01;
    return reader.value()->detect(path);
  }

  core::Result<OpenedImage> open(const std::filesystem::path& path) const override {
    auto reader = load_();
    if (!reader) return reader.error();
    return reader.value()->open(path);
  }

  core::Result<ImageSummary> describe(const std::filesystem::path& path) const override {
    auto reader = load_();
    if (!reader) return reader.error();
    return reader.value()->describe(path);
  }

 private:
  std::string name_;
  double maxScore_;
  bool (*mightRead_)(const std::filesystem::path&);
  ReaderLoad load_;
};

}  // namespace

core::Result<const ItkLibrary*> itkLibrary() {
  static const core::Result<const ItkLibrary*> loaded = loadTable<ItkLibrary>(kItkLibraryFile, kItkLibraryEntry);
  return loaded;
}

core::Result<const OpenSlideLibrary*> openSlideLibrary() {
  static const core::Result<const OpenSlideLibrary*> loaded =
      loadTable<OpenSlideLibrary>(kOpenSlideLibraryFile, kOpenSlideLibraryEntry);
  return loaded;
}

bool mightBeSlide(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".vms" || ext == ".vmu" || ext == ".mrxs" || ext == ".svslide") return true;
  std::ifstream in(path, std::ios::binary);
  unsigned char m[4] = {};
  if (!in.read(reinterpret_cast<char*>(m), 4)) return false;
  const bool little = m[0] == 'I' && m[1] == 'I' && (m[2] == 42 || m[2] == 43) && m[3] == 0;
  const bool big = m[0] == 'M' && m[1] == 'M' && m[2] == 0 && (m[3] == 42 || m[3] == 43);
  return little || big;
}

std::unique_ptr<ImageReader> makeItkLibraryReader() {
  // ITK's reader scores 0.5 at most (ItkImageReader::detect).
  return std::make_unique<LibraryReader>("ITK", 0.5, nullptr, []() -> core::Result<const ImageReader*> {
    auto itk = itkLibrary();
    if (!itk) return itk.error();
    return itk.value()->reader;
  });
}

std::unique_ptr<ImageReader> makeOpenSlideLibraryReader() {
  return std::make_unique<LibraryReader>("OpenSlide", 0.9, &mightBeSlide, []() -> core::Result<const ImageReader*> {
    auto slides = openSlideLibrary();
    if (!slides) return slides.error();
    return slides.value()->reader;
  });
}

}  // namespace meridian::io::detail
