#pragma once
#include <nlohmann/json.hpp>

#include "meridian/io/ImageSummary.hpp"

namespace meridian::app {

/// The JSON shape of `meridian-cli info --json` (keys listed in the README).
nlohmann::json toJson(const io::ImageSummary& summary);

}  // namespace meridian::app
