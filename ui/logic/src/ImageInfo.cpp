#include "meridian/ui/ImageInfo.hpp"

#include <cstdio>

#include "meridian/viewers/SlideViewState.hpp"

namespace meridian::ui {
namespace {

std::string number(double v, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*g", digits, v);
  return text;
}

template <class T>
std::string joined(const std::vector<T>& values, int digits) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? " × " : "") + number(static_cast<double>(values[i]), digits);
  return out;
}

}  // namespace

InfoRows describeImage(const std::filesystem::path& path, const io::ImageSummary& s) {
  InfoRows rows = {
      {"File", path.filename().string()},
      {"Kind", io::toString(s.kind)},
      {"Format", s.format},
      {"Size", joined(s.size, 15)},
      {"Pixel type", s.dtype + " × " + std::to_string(s.channels)},
  };
  if (s.spacing) rows.emplace_back("Spacing (mm)", joined(*s.spacing, 5));
  if (!s.modality.empty()) rows.emplace_back("Modality", s.modality);
  if (s.mpp) rows.emplace_back("µm per pixel", number((*s.mpp)[0], 4));
  if (s.kind == io::ImageKind::Slide)
    rows.emplace_back("Scan magnification", s.mpp ? viewers::formatMagnification((*s.mpp)[0])
                                                  : std::string("unknown (no µm per pixel recorded)"));
  for (std::size_t i = 0; i < s.levels.size(); ++i)
    rows.emplace_back("Level " + std::to_string(i), std::to_string(s.levels[i].width) + " × " +
                                                        std::to_string(s.levels[i].height) + " (÷" +
                                                        number(s.levels[i].downsample, 4) + ")");
  return rows;
}

InfoRows describeSeries(const io::DicomSeriesInfo& series, const io::ImageSummary& summary,
                        const std::vector<std::string>& warnings) {
  InfoRows rows = describeImage(series.files.empty() ? std::filesystem::path() : series.files.front().parent_path(), summary);
  rows.front() = {"Series", series.seriesDescription};
  rows.emplace_back("Patient", series.patientName + " (" + series.patientId + ")");
  rows.emplace_back("Study date", series.studyDate);
  for (const auto& warning : warnings) rows.emplace_back("Warning", warning);
  return rows;
}

}  // namespace meridian::ui
