#pragma once
#include <filesystem>
#include <string_view>

#include "meridian/core/Result.hpp"

namespace meridian::core {

/// Writes `contents` to a temporary file beside `path`, flushes it to disk and renames
/// it over `path`: a crash or a full disk leaves the old file or the new one, never a mix.
Status writeFileAtomically(const std::filesystem::path& path, std::string_view contents);

}  // namespace meridian::core
