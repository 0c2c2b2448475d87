#pragma once
// The Python peers of the model benchmarks (vit_eager.py, train_eager.py, dino_eager.py):
// each is run as a child process and prints one line per measurement,
// "RESULT <precision> <batch> <median wall ms> ...". Read here once for every benchmark.
// Needs MERIDIAN_PEER_PYTHON and MERIDIAN_BENCH_SOURCE (tests/bench/CMakeLists.txt).

#include <cstdio>
#include <map>
#include <string>
#include <utility>

namespace meridian::bench {

/// Runs `script` (a file in tests/bench) with `arguments` under the peer's Python and returns
/// (precision, batch) -> median ms from its RESULT lines; empty when it could not start, and
/// a line on stderr when it failed.
inline std::map<std::pair<std::string, int>, double> runPeer(const std::string& script, const std::string& arguments) {
  const std::string cmd =
      std::string(MERIDIAN_PEER_PYTHON) + " '" + MERIDIAN_BENCH_SOURCE + "/" + script + "' " + arguments;
  std::map<std::pair<std::string, int>, double> out;
  std::FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return out;
  char line[512];
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    char precision[16];
    int batch = 0;
    double ms = 0;
    if (std::sscanf(line, "RESULT %15s %d %lf", precision, &batch, &ms) == 3) out[{precision, batch}] = ms;
  }
  if (pclose(pipe) != 0) std::fprintf(stderr, "peer failed: %s\n", cmd.c_str());
  return out;
}

/// The same keyed by precision alone, for a peer run at one batch size.
inline std::map<std::string, double> byPrecision(const std::map<std::pair<std::string, int>, double>& results) {
  std::map<std::string, double> out;
  for (const auto& [key, ms] : results) out[key.first] = ms;
  return out;
}

}  // namespace meridian::bench
