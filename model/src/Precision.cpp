#include "meridian/model/Precision.hpp"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace meridian::model {

const char* toString(Precision precision) {
  return precision == Precision::BFloat16 ? "bfloat16" : "float32";
}

Bf16Support bf16SupportFromCpuInfo(const std::string& cpuinfo) {
  // The "flags" line lists the kernel's names for the CPU features; every core has the
  // same line, the first one decides.
  std::istringstream lines(cpuinfo);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::istringstream words(line.substr(colon + 1));
    std::set<std::string> flags;
    for (std::string w; words >> w;) flags.insert(w);
    // amx_bf16 (Sapphire Rapids on) and avx512_bf16 (Cooper Lake, Zen 4 on) are what
    // oneDNN's bf16 kernels need; AVX-512 without them emulates bf16 and loses to fp32.
    for (const char* flag : {"amx_bf16", "avx512_bf16"})
      if (flags.count(flag)) return {true, std::string("CPU has ") + flag};
    return {false, "CPU has neither avx512_bf16 nor amx_bf16 (bf16 would be emulated, slower than fp32)"};
  }
  return {false, "no CPU flags line in /proc/cpuinfo (not Linux on x86?)"};
}

const Bf16Support& bf16Support() {
  static const Bf16Support support = [] {
    const char* off = std::getenv("MERIDIAN_DISABLE_BF16");
    if (off != nullptr && std::string(off) == "1") return Bf16Support{false, "disabled by MERIDIAN_DISABLE_BF16=1"};
    std::ifstream in("/proc/cpuinfo");
    if (!in) return Bf16Support{false, "cannot read /proc/cpuinfo"};
    std::stringstream text;
    text << in.rdbuf();
    return bf16SupportFromCpuInfo(text.str());
  }();
  return support;
}

}  // namespace meridian::model
