#include "meridian/ui/Preferences.hpp"

#include <algorithm>
#include <regex>
#include <thread>

namespace meridian::ui {

Preferences sanitized(Preferences p) {
  p.threads = std::clamp(p.threads, 0, 256);
  p.slideCacheMB = std::clamp(p.slideCacheMB, 64, 65536);
  p.thumbnailSide = std::clamp(p.thumbnailSide, 64, 1024);
  static const std::regex device("cpu|cuda(:[0-9]+)?");
  if (!std::regex_match(p.device, device)) p.device = "cpu";
  return p;
}

int jobWorkers(const Preferences& p) {
  if (p.threads > 0) return p.threads;
  return std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
}

int modelThreads(const Preferences& p, unsigned cores) {
  const int machine = static_cast<int>(std::max(1u, cores));
  const int wanted = p.threads > 0 ? p.threads : machine;
  return std::max(1, std::min(wanted, machine - 1));
}

std::vector<std::string> withRecent(std::vector<std::string> recent, const std::string& folder, std::size_t limit) {
  recent.erase(std::remove(recent.begin(), recent.end(), folder), recent.end());
  recent.insert(recent.begin(), folder);
  if (recent.size() > limit) recent.resize(limit);
  return recent;
}

}  // namespace meridian::ui
