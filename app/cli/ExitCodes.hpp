#pragma once
// meridian-cli's exit codes (documented in the README) and the one way commands fail: every
// command maps a lower layer's error to an exit code through exitCodeFor, nowhere else.

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

/// What the failed call was judging, which decides two kinds:
/// - Arguments: the command line's values; InvalidArgument is a usage error (2).
/// - InputFile: the contents of a file the user gave as input, such as a labels CSV with one
///   class; InvalidArgument is the input's fault (3).
/// - OutputFormat: writing the output the user named; Unsupported means the format its name
///   asks for cannot hold the content (a PNG of a volume), a usage error (2), not a bad input.
enum class Judged { Arguments, InputFile, OutputFormat };

/// The exit code an error from a lower layer maps to: the user's arguments (2), the input (3),
/// a cancelled job (130), or anything else (1). The one place in meridian-cli that turns an
/// ErrorCode into an exit code.
inline int exitCodeFor(const core::Error& e, Judged judged = Judged::Arguments) {
  switch (e.code) {
    case core::ErrorCode::InvalidArgument:
      return judged == Judged::InputFile ? kExitBadInput : kExitUsage;
    case core::ErrorCode::Unsupported:
      return judged == Judged::OutputFormat ? kExitUsage : kExitBadInput;
    case core::ErrorCode::Corrupt:
    case core::ErrorCode::NotFound:
      return kExitBadInput;
    case core::ErrorCode::Cancelled:
      return kExitCancelled;
    default:
      return kExitFailure;
  }
}

/// Prints the error's message and returns its exit code.
inline int fail(const core::Error& e, Judged judged = Judged::Arguments) {
  return fail(exitCodeFor(e, judged), e.message);
}

}  // namespace meridian::app
