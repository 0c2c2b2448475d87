#include "meridian/ui/IncompleteSeriesText.hpp"

#include <algorithm>
#include <sstream>

namespace meridian::ui {

std::string incompleteSeriesText(const std::vector<std::array<double, 3>>& missing,
                                 const std::vector<io::UnreadableFile>& unreadable, std::size_t maxListed) {
  if (missing.empty() && unreadable.empty()) return {};
  std::ostringstream text;
  text.precision(6);
  text << "incomplete series:";
  const auto more = [&](std::size_t total) {
    if (total > maxListed) text << "\n  … and " << (total - maxListed) << " more";
  };
  if (!missing.empty()) {
    text << " " << missing.size() << (missing.size() == 1 ? " slice missing" : " slices missing")
         << " (a gap in the slice positions)";
    for (std::size_t i = 0; i < std::min(missing.size(), maxListed); ++i)
      text << "\n  at (" << missing[i][0] << ", " << missing[i][1] << ", " << missing[i][2] << ") mm";
    more(missing.size());
  }
  if (!unreadable.empty()) {
    text << (missing.empty() ? " " : "\n") << unreadable.size()
         << (unreadable.size() == 1 ? " file cannot be read" : " files cannot be read");
    for (std::size_t i = 0; i < std::min(unreadable.size(), maxListed); ++i)
      text << "\n  " << unreadable[i].file.filename().string() << ": " << unreadable[i].reason;
    more(unreadable.size());
  }
  return text.str();
}

}  // namespace meridian::ui
