#pragma once
// Reading a label-map file for the viewer on screen (the reading half of OverlayFit.hpp's
// rules): with its geometry for a slide when the format stores one, through the reader
// registry otherwise, then fitted to that viewer. Blocking; the window runs it off the UI
// thread.

#include <filesystem>

#include "meridian/core/Result.hpp"
#include "meridian/viewers/OverlayFit.hpp"

namespace meridian::ui {

core::Result<viewers::FittedLabelMap> readLabelMapFor(const viewers::ShownContent& shown,
                                                      const std::filesystem::path& file);

}  // namespace meridian::ui
