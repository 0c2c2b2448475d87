#pragma once
// The warning beside an incomplete DICOM series, in the Files list and in the case browser
// (both show it with a warning sign, as a tooltip): how many slices are missing and where
// (patient position, mm), then which files cannot be read and why. One text for both, so a
// series reads the same before and after it joins a project.

#include <array>
#include <string>
#include <vector>

#include "meridian/io/DicomSeries.hpp"

namespace meridian::ui {

/// "incomplete series: 1 slice missing\n  at (-72.2, -143, 3.7625) mm\n1 file cannot be
/// read\n  2693: ..."; at most `maxListed` positions and files each, then "… and N more".
/// Empty when nothing is missing or unreadable.
std::string incompleteSeriesText(const std::vector<std::array<double, 3>>& missing,
                                 const std::vector<io::UnreadableFile>& unreadable, std::size_t maxListed = 8);

}  // namespace meridian::ui
