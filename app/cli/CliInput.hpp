#pragma once
// How meridian-cli's commands open their INPUT: through io::openInput (the one input
// service the window shares), with the command line's hint on a refused incomplete
// series, warnings on stderr, and the JSON that records an incomplete series in outputs.

#include <filesystem>

#include <nlohmann/json.hpp>

#include "meridian/io/InputOpener.hpp"

namespace meridian::app {

/// io::openInput; an incomplete series refused gets "(--allow-incomplete to go on ...)";
/// the series' warnings (incompleteness first) are printed as "meridian-cli: warning: ...".
core::Result<io::OpenedInput> openCliInput(const std::filesystem::path& input, const io::OpenInputOptions& options);

/// A series as `info --json` lists it: identity, size/spacing/origin/direction after
/// ordering, count, irregular_spacing, complete, missing (positions), unreadable (file, reason).
nlohmann::json seriesJson(const io::SeriesListing& series);

/// {"missing": [...], "unreadable": [...], "reason": "..."} for an incomplete series an
/// output was made from anyway; null when the input was complete (or no series).
nlohmann::json incompleteJson(const io::OpenedInput& input);

}  // namespace meridian::app
