#pragma once
// Shared by the volume viewer benchmark and its bare-VTK peer (Qt-free): the same 300-slice
// CT, the same scripted scroll and window/level drag, percentiles, and per-frame times
// written for the driver (volume_viewer_peer.py) that pools alternating rounds.

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "meridian/core/Volume.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace meridian::bench {

/// A "VmRSS" / "VmHWM" (peak RSS) line of /proc/self/status in MiB; -1 where there is none.
inline double procStatusMiB(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(key) + ":";
  while (std::getline(in, line))
    if (line.compare(0, prefix.size(), prefix) == 0) return std::stod(line.substr(prefix.size())) / 1024.0;  // kB
  return -1.0;
}

/// Resident memory by mapping (/proc/self/smaps): each file-backed mapping by its file's name,
/// anonymous memory as "[anon]" (malloc's arenas and large blocks, GL buffers under software GL,
/// thread stacks), largest first, in MiB. Where the RSS goes, for --smaps.
inline void printResidentByMapping(const char* when, int top = 12) {
  std::ifstream in("/proc/self/smaps");
  std::string line, name;
  std::vector<std::pair<std::string, double>> sums;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.compare(0, 4, "Rss:") == 0) {
      const double mib = std::stod(line.substr(4)) / 1024.0;
      auto it = std::find_if(sums.begin(), sums.end(), [&](const auto& s) { return s.first == name; });
      if (it == sums.end()) sums.emplace_back(name, mib);
      else it->second += mib;
      continue;
    }
    // A mapping's header: "start-end perms offset dev inode [path]"; field lines end in ':' words.
    const auto firstSpace = line.find(' ');
    if (firstSpace == std::string::npos || line.find('-') > firstSpace) continue;
    std::size_t field = 0, at = 0;
    while (field < 5 && at != std::string::npos) {
      at = line.find_first_not_of(' ', line.find(' ', at));
      ++field;
    }
    std::string path = at == std::string::npos ? "" : line.substr(at);
    if (path.empty()) path = "[anon]";
    const auto slash = path.rfind('/');
    name = slash == std::string::npos ? path : path.substr(slash + 1);
  }
  std::sort(sums.begin(), sums.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  double total = 0;
  for (const auto& s : sums) total += s.second;
  std::printf("  resident by mapping %s (%.0f MiB):", when, total);
  for (int i = 0; i < top && i < static_cast<int>(sums.size()); ++i)
    std::printf("%s %s %.1f", i ? "," : "", sums[i].first.c_str(), sums[i].second);
  std::printf("\n");
}

inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const std::size_t at = std::min(values.size() - 1, static_cast<std::size_t>(p / 100.0 * (values.size() - 1) + 0.5));
  return values[at];
}

/// The demo CT stretched to `slices` axial slices by repeating it from its first slice (same
/// anatomy, same memory layout).
inline core::Result<std::shared_ptr<core::Volume>> repeatedCt(const std::filesystem::path& demoData, int slices) {
  auto opened = io::ReaderRegistry::builtin().open(demoData / "ct-abdomen-stent.nii.gz");
  if (!opened) return opened.error();
  const auto& ct = std::get<core::Volume>(opened.value().content);
  auto out = core::Volume::allocate({ct.size()[0], ct.size()[1], slices}, ct.pixelType());
  if (!out) return out.error();
  const std::size_t sliceBytes = ct.sizeInBytes() / ct.size()[2];
  for (int k = 0; k < slices; ++k)
    std::memcpy(out.value().data() + k * sliceBytes, ct.data() + (k % ct.size()[2]) * sliceBytes, sliceBytes);
  out.value().spacing = ct.spacing;
  out.value().origin = ct.origin;
  out.value().direction = ct.direction;
  out.value().modality = ct.modality;
  out.value().rescaleSlope = ct.rescaleSlope;
  out.value().rescaleIntercept = ct.rescaleIntercept;
  return std::make_shared<core::Volume>(std::move(out).value());
}

/// The axial slice shown at scroll frame f: 1 -> slices-1 and back, one slice per frame.
inline int scrollSlice(int f, int slices) {
  const int span = slices - 1;
  return (f / span) % 2 == 0 ? f % span + 1 : span - (f % span + 1);
}

/// The mouse offset of window/level drag frame f from the press point: 2 px right and 1 px
/// down per frame for 50 frames, then back (as a person drags).
inline std::pair<int, int> dragStep(int f) {
  return (f / 50) % 2 == 0 ? std::pair{2, 1} : std::pair{-2, -1};
}

/// One line per frame, "scroll 12.3" / "drag 4.5", for the driver that pools rounds.
class FrameLog {
 public:
  explicit FrameLog(std::string path) : path_(std::move(path)) {}
  void add(const char* what, const std::vector<double>& ms) {
    if (path_.empty()) return;
    std::ofstream out(path_, std::ios::app);
    for (double v : ms) out << what << ' ' << v << '\n';
  }

 private:
  std::string path_;
};

inline void reportFrames(const char* what, const std::vector<double>& ms) {
  if (ms.empty()) return;
  std::printf("%-34s frames %4zu  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (goal p99 < 16.7 ms: %s)\n", what,
              ms.size(), percentile(ms, 50), percentile(ms, 99), *std::max_element(ms.begin(), ms.end()),
              percentile(ms, 99) < 16.7 ? "met" : "NOT met");
}

}  // namespace meridian::bench
