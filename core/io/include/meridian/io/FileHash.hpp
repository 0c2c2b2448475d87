#pragma once
#include <filesystem>
#include <string>

#include "meridian/core/Result.hpp"

namespace meridian::io {

/// SHA-256 of a file's bytes as 64 lowercase hex digits (OpenSSL; read in 1 MiB chunks).
core::Result<std::string> sha256OfFile(const std::filesystem::path& path);

}  // namespace meridian::io
