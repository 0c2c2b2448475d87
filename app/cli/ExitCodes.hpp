#pragma once
// meridian-cli's exit codes (documented in the README) and the one way commands fail.

#include <cstdio>
#include <string>

#include "meridian/core/Result.hpp"

namespace meridian::app {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;      // something went wrong that is not the input's fault
constexpr int kExitUsage = 2;        // bad command line
constexpr int kExitBadInput = 3;     // unsupported or corrupt input; stderr names file and reason
constexpr int kExitCancelled = 130;  // Ctrl-C (SIGINT) cancelled a job; its partial results were kept

/// Prints "meridian-cli: MESSAGE" on stderr and returns `code`, for `return fail(...)`.
inline int fail(int code, const std::string& message) {
  std::fprintf(stderr, "meridian-cli: %s\n", message.c_str());
  return code;
}

/// The exit code an error from a lower layer maps to: the user's arguments (2), the input (3),
/// or anything else (1).
inline int exitCodeFor(const core::Error& e) {
  switch (e.code) {
    case core::ErrorCode::InvalidArgument:
      return kExitUsage;
    case core::ErrorCode::Unsupported:
    case core::ErrorCode::Corrupt:
    case core::ErrorCode::NotFound:
      return kExitBadInput;
    default:
      return kExitFailure;
  }
}

}  // namespace meridian::app
