// The inference products while signals arrive (model/src/SignalShield.hpp): oneDNN's
// generated f32 gemm kernels point the stack pointer into the heap, so a signal handled on a
// thread running one wrote its frame into the heap ("corrupted size vs. prev_size" when
// `meridian-cli infer` was cancelled with Ctrl-C). Here a second thread sends the calling
// thread SIGUSR1 every few microseconds while it runs fp32 products through the oneDNN
// backend: every result must stay exact and the process alive, and the handler must still
// run (the signals are delayed, not lost). Without the shield this test aborted.

#include <gtest/gtest.h>

#include <pthread.h>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "InferenceLinear.hpp"

using namespace meridian::model;

namespace {

std::atomic<int> g_handled{0};
extern "C" void countSignal(int) { g_handled.fetch_add(1, std::memory_order_relaxed); }

TEST(InferenceSignals, ProductsStayExactWhileSignalsArrive) {
  if (!inferenceBackendBuilt(InferenceBackend::OneDnn)) GTEST_SKIP() << "oneDNN not built in";
  torch::NoGradGuard noGrad;
  torch::manual_seed(0);
  // A ViT-S product's shape at batch 1 (197 tokens, 384 -> 1536): tiles on the gemm kernels.
  const auto a = torch::randn({197, 384}), weight = torch::randn({1536, 384}) * 0.05, bias = torch::randn({1536});
  const auto expected = at::addmm(bias, a, weight.t());

  struct sigaction action {}, previous {};
  action.sa_handler = countSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ASSERT_EQ(sigaction(SIGUSR1, &action, &previous), 0);

  LinearCache cache(InferenceBackend::OneDnn);
  const pthread_t self = pthread_self();
  std::atomic<bool> done{false};
  int sent = 0;
  std::thread sender([&] {
    while (!done.load()) {
      pthread_kill(self, SIGUSR1);
      ++sent;
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  });
  double worst = 0;
  for (int i = 0; i < 300; ++i) {
    auto out = torch::empty({197, 1536});
    inferenceLinear(cache, a, weight, bias, out, LinearEpilogue::Bias);
    worst = std::max(worst, (out - expected).abs().max().item<double>());
  }
  done = true;
  sender.join();
  sigaction(SIGUSR1, &previous, nullptr);
  EXPECT_LT(worst, 1e-3);
  EXPECT_GT(sent, 100);
  EXPECT_GT(g_handled.load(), 0) << "the signals were lost, not delayed";
}

}  // namespace
