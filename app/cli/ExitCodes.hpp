#pragma once
namespace meridian::app {
// meridian-cli's exit codes (documented in the README).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;      // something went wrong that is not the input's fault
constexpr int kExitUsage = 2;        // bad command line
constexpr int kExitBadInput = 3;     // unsupported or corrupt input; stderr names file and reason
constexpr int kExitCancelled = 130;  // Ctrl-C (SIGINT) cancelled a job; its partial results were kept
}  // namespace meridian::app
