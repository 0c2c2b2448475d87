// Random 256x256 region reads at level 0: Meridian's SlideSource from 2 threads vs
// OpenSlide's own openslide_read_region from 1 thread, on the same slide and regions.
// Medians of N runs; the ratio is the result. Not a test.
//
//   build/bin/bench_slide [SLIDE=demo pathology-ihc-slide.tif] [runs=5] [reads=400]

#include <openslide.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "BenchTiming.hpp"
#include "meridian/core/ParallelFor.hpp"
#include "meridian/io/ReaderRegistry.hpp"

using namespace meridian;
using meridian::bench::medianMs;

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : std::string(MERIDIAN_BENCH_DEMO_DATA) + "/pathology-ihc-slide.tif";
  const int runs = argc > 2 ? std::max(3, std::atoi(argv[2])) : 5;
  const int reads = argc > 3 ? std::max(10, std::atoi(argv[3])) : 400;
  auto opened = io::ReaderRegistry::builtin().open(path);
  if (!opened || opened.value().kind() != io::ImageKind::Slide) {
    std::fprintf(stderr, "bench_slide: %s is not a slide\n", path.c_str());
    return 1;
  }
  auto slide = std::get<std::shared_ptr<core::SlideSource>>(opened.value().content);
  const auto& level0 = slide->levels().front();
  std::mt19937 rng(3);
  std::uniform_int_distribution<std::int64_t> xs(0, level0.width - 256), ys(0, level0.height - 256);
  std::vector<std::pair<std::int64_t, std::int64_t>> spots(reads);
  for (auto& s : spots) s = {xs(rng), ys(rng)};

  openslide_t* osr = openslide_open(path.c_str());
  std::vector<std::uint32_t> buffer(256 * 256);
  const double peer = medianMs(runs, [&] {
    for (const auto& [x, y] : spots) openslide_read_region(osr, buffer.data(), x, y, 0, 256, 256);
  });
  openslide_close(osr);
  const double ours = medianMs(runs, [&] {
    core::parallelFor(spots.size(), [&](std::size_t i) { (void)slide->readRegion(0, spots[i].first, spots[i].second, 256, 256); }, 2);
  });
  std::printf("%d random 256x256 reads at level 0 of %s (median of %d runs)\n", reads, path.c_str(), runs);
  std::printf("OpenSlide read_region, 1 thread: %8.1f ms  (%6.0f regions/s)\n", peer, reads / peer * 1000);
  std::printf("Meridian SlideSource, 2 threads:  %8.1f ms  (%6.0f regions/s)\n", ours, reads / ours * 1000);
  std::printf("ratio: %.2fx\n", peer / ours);
  return 0;
}
