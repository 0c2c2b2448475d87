#pragma once
// bench_dino --ops and bench_train's `ops N`: LibTorch's own profiler around training steps,
// printed as a table of operators by self time (the time inside an operator minus the operators
// it called), the same table torch.profiler prints for the eager peers
// (`key_averages().table(sort_by="self_cpu_time_total")`), so the steps can be compared operator
// by operator. With 2 threads the profiler overstates short element-wise operators (README,
// issue 19): read shares from a `--threads 1` run. OPS_SHAPES=1 splits operators by input shapes;
// OPS_PARENTS=1 names each under the two operators that called it (whose copy_ is this?).

#include <torch/csrc/autograd/profiler_kineto.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace meridian::bench {

/// Runs `step` once to warm up, then `steps` times under the profiler; prints the `rows`
/// operators with the most self time per step.
inline void printOperatorTable(const std::function<void()>& step, int steps, int rows) {
  namespace prof = torch::autograd::profiler;
  using torch::profiler::impl::ActivityType;
  using torch::profiler::impl::ProfilerConfig;
  using torch::profiler::impl::ProfilerState;
  step();  // warm-up
  prof::prepareProfiler(ProfilerConfig(ProfilerState::KINETO, std::getenv("OPS_SHAPES") != nullptr),
                        {ActivityType::CPU});
  prof::enableProfiler(ProfilerConfig(ProfilerState::KINETO, std::getenv("OPS_SHAPES") != nullptr),
                       {ActivityType::CPU});
  for (int s = 0; s < steps; ++s) step();
  const auto result = prof::disableProfiler();
  struct Span {
    std::uint64_t start, end;
    std::string name;
    std::uint64_t children = 0;
  };
  std::map<std::uint64_t, std::vector<Span>> byThread;
  for (const auto& e : result->events()) {
    std::string name = e.name();
    if (std::getenv("OPS_SHAPES") && e.hasShapes() && e.hasTypes()) {
      name += " ";
      for (std::size_t i = 0; i < e.shapes().size(); ++i) {
        name += "[";
        for (auto d : e.shapes()[i]) name += std::to_string(d) + ",";
        name += i < e.dtypes().size() ? e.dtypes()[i] : std::string();
        name += "]";
      }
    }
    byThread[e.startThreadId()].push_back({e.startUs(), e.startUs() + e.durationUs(), name});
  }
  struct Total {
    double selfUs = 0;
    long calls = 0;
  };
  std::map<std::string, Total> totals;
  double all = 0;
  for (auto& [thread, spans] : byThread) {
    std::sort(spans.begin(), spans.end(),
              [](const Span& a, const Span& b) { return a.start != b.start ? a.start < b.start : a.end > b.end; });
    std::vector<Span*> open;
    std::vector<std::string> callers(spans.size());  // OPS_PARENTS: the two enclosing operators
    for (std::size_t i = 0; i < spans.size(); ++i) {
      auto& s = spans[i];
      while (!open.empty() && open.back()->end <= s.start) open.pop_back();
      if (!open.empty()) open.back()->children += s.end - s.start;
      for (std::size_t k = open.size() >= 2 ? open.size() - 2 : 0; k < open.size(); ++k)
        callers[i] += open[k]->name + " > ";
      open.push_back(&s);
    }
    if (std::getenv("OPS_PARENTS"))
      for (std::size_t i = 0; i < spans.size(); ++i) spans[i].name = callers[i] + spans[i].name;
    for (const auto& s : spans) {
      const double self = static_cast<double>(s.end - s.start) - static_cast<double>(s.children);
      totals[s.name].selfUs += self;
      totals[s.name].calls += 1;
      all += self;
    }
  }
  std::vector<std::pair<std::string, Total>> sorted(totals.begin(), totals.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second.selfUs > b.second.selfUs; });
  std::printf("operators by self time over %d steps (total %.1f ms per step)\n", steps, all / 1000.0 / steps);
  for (int i = 0; i < rows && i < static_cast<int>(sorted.size()); ++i)
    std::printf("  %-52s %6.2f%% %9.1f ms/step %6ld calls/step\n", sorted[i].first.c_str(),
                100.0 * sorted[i].second.selfUs / all, sorted[i].second.selfUs / 1000.0 / steps,
                sorted[i].second.calls / steps);
}

}  // namespace meridian::bench
