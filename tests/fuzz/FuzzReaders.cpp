// libFuzzer target for Meridian's readers. Built three times (see CMakeLists.txt), once per
// reader family, selected by MERIDIAN_FUZZ_READER: 1 = DICOM (DCMTK), 2 = rasters (PNG,
// JPEG, ITK formats), 3 = slides (OpenSlide), 4 = volumes (NIfTI, .nii.gz, NRRD, MetaImage
// through Meridian's header checks and ITK). The readers take paths, so each input is
// written to a per-process temporary file first; for volumes the first byte picks the
// extension (ITK's volume readers go by it) and the rest is the file.
//
//   build-fuzz/bin/fuzz_dicom -max_total_time=600 tests/data/corrupt CORPUS_DIR
// fuzz_slide starts from the tiny vendor slides tests/fuzz/make_slide_seeds.py writes.

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <variant>

#include "DcmtkReader.hpp"
#include "ItkImageReader.hpp"
#include "JpegReader.hpp"
#include "OpenSlideReader.hpp"
#include "PngReader.hpp"
#include "TiffReader.hpp"
#include <spdlog/sinks/null_sink.h>

#include "meridian/core/Logging.hpp"
#include "meridian/io/ImageSummary.hpp"

namespace {

std::filesystem::path scratchFile(const char* extension = ".bin") {
  return std::filesystem::temp_directory_path() / ("meridian-fuzz-" + std::to_string(::getpid()) + extension);
}

// MERIDIAN_FUZZ_OVERVIEW_MAX_PIXELS=N (unset: no cap beyond the product's own): when the level
// the overview reads whole (SlideSource::overviewLevel) is larger than N pixels, the harness
// reads a 256 x 256 corner of it instead. The product reads such levels whole (up to 64
// Mpixel: a slide without a pyramid has them), 1-4 s per input under ASan; libjpeg-turbo's
// fuzzers likewise skip images above 1 Mpixel. Campaigns say which way they ran. (With the cap
// at 1 Mpixel the rate is then set by inputs whose levels claim ~1 million tiles: OpenSlide's
// own work at open, twice when a failed read makes the next read reopen the slide.)
std::int64_t overviewPixelCap() {
  static const std::int64_t cap = [] {
    const char* text = std::getenv("MERIDIAN_FUZZ_OVERVIEW_MAX_PIXELS");
    return text ? std::max<std::int64_t>(1, std::atoll(text)) : INT64_MAX;
  }();
  return cap;
}

// Opens with one reader and, when it succeeds, exercises what callers do next.
void exercise(const meridian::io::ImageReader& reader, const std::filesystem::path& path) {
  if (reader.detect(path) <= 0.0) return;
  auto opened = reader.open(path);
  if (!opened) return;
  (void)meridian::io::summarize(opened.value());
  const auto* slide = std::get_if<std::shared_ptr<meridian::core::SlideSource>>(&opened.value().content);
  constexpr int kOverviewSide = 256;
  const int overview = slide && !(*slide)->levels().empty() ? (*slide)->overviewLevel(kOverviewSide) : -1;
  const meridian::core::SlideLevel* level = overview >= 0 ? &(*slide)->levels()[overview] : nullptr;
  if (level && level->width * level->height > overviewPixelCap()) {
    (void)(*slide)->readRegion(overview, 0, 0, static_cast<int>(std::min<std::int64_t>(level->width, kOverviewSide)),
                               static_cast<int>(std::min<std::int64_t>(level->height, kOverviewSide)));
  } else {
    (void)meridian::io::representativeImage(opened.value(), kOverviewSide);
  }
  // A slide: what the viewer reads next, a level-0 tile and the associated images.
  if (slide) {
    (void)(*slide)->readRegion(0, 0, 0, 64, 64);
    for (const auto& name : (*slide)->associatedImageNames()) (void)(*slide)->readAssociatedImage(name);
  }
}

}  // namespace

// Meridian's warnings (trailing padding ignored, a VOI LUT dropped) would print a line for
// most executions and bury libFuzzer's own report: they are still formatted, into a null sink.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto& sinks = meridian::core::logging::get(meridian::core::logging::Layer::Core)->sinks();
  sinks.clear();
  sinks.push_back(std::make_shared<spdlog::sinks::null_sink_mt>());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
#if MERIDIAN_FUZZ_READER == 4
  static const char* const extensions[] = {".nii", ".nii.gz", ".nrrd", ".mha", ".hdr"};
  if (size < 1) return 0;
  const auto volume = scratchFile(extensions[data[0] % 5]);
  {
    std::ofstream out(volume, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  static const meridian::io::ItkImageReader itk;
  exercise(itk, volume);
  return 0;
#endif
  {
    std::ofstream out(scratchFile(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
#if MERIDIAN_FUZZ_READER == 1
  static const meridian::io::DcmtkReader dicom;
  exercise(dicom, scratchFile());
#elif MERIDIAN_FUZZ_READER == 2
  static const meridian::io::PngReader png;
  static const meridian::io::JpegReader jpeg;
  static const meridian::io::TiffReader tiff;
  static const meridian::io::ItkImageReader itk;
  exercise(png, scratchFile());
  exercise(jpeg, scratchFile());
  exercise(tiff, scratchFile());
  exercise(itk, scratchFile());
#elif MERIDIAN_FUZZ_READER == 3
  static const meridian::io::OpenSlideReader slide;
  exercise(slide, scratchFile());
#endif
  return 0;
}
