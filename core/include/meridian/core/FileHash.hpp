#pragma once
// SHA-256 digests as 64 lowercase hex digits (OpenSSL, private to meridian_core): model
// folders record their weights' hash, the CLI reports it, training hashes its data list.

#include <filesystem>
#include <string>
#include <string_view>

#include "meridian/core/Result.hpp"

namespace meridian::core {

/// SHA-256 of a file's bytes (read in 1 MiB chunks).
Result<std::string> sha256OfFile(const std::filesystem::path& path);

/// SHA-256 of bytes in memory.
std::string sha256OfBytes(std::string_view bytes);

}  // namespace meridian::core
