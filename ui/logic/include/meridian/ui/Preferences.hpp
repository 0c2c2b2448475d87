#pragma once
// The workstation's preferences as plain values (device, threads, cache sizes, reviewer
// name) and the recent-projects list; PreferencesStore (Qt) keeps them in QSettings.

#include <string>
#include <vector>

namespace meridian::ui {

struct Preferences {
  std::string device = "cpu";        // "cpu", "cuda", "cuda:N": where models run
  bool bf16 = false;                 // bf16 matrix products where the device computes them natively
  int threads = 0;                   // 0 = one per core
  int slideCacheMB = 512;            // SlideViewer's tile cache (QSettings "slideViewer/cacheMB")
  int thumbnailSide = 256;           // case browser thumbnails, longest side in pixels
  std::string reviewerName;          // recorded with every edit and review decision
};

/// Keeps values in range (threads 0..256, slide cache 64..65536 MB, thumbnails 64..1024 px,
/// a device other than cpu/cuda/cuda:N back to "cpu"), so a hand-edited settings file
/// cannot make the window misbehave.
Preferences sanitized(Preferences preferences);

/// How many jobs the job runner runs at once: the threads preference, or one per core (at
/// least 2, so an import never waits behind the thumbnails) when it is 0.
int jobWorkers(const Preferences& preferences);

/// The threads LibTorch and OpenBLAS use for one operation in the window's model jobs
/// (inference, explanations, training): the threads preference, or one per core when it is
/// 0, but never every core of the machine: one stays with the UI thread, so the window
/// answers while a model job runs (at least 1). `cores` is the machine's hardware threads.
int modelThreads(const Preferences& preferences, unsigned cores);

/// Most recent first, no duplicates, at most `limit`.
std::vector<std::string> withRecent(std::vector<std::string> recent, const std::string& folder, std::size_t limit = 8);

}  // namespace meridian::ui
