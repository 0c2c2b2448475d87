#pragma once
// Shared by the slide viewer tests: the demo slide, a SlideSource around it that records
// which threads read and can be told to fail or slow down reads (the failure and the
// staleness are what those tests are about), and helpers to wait for the event loop.

#include <QApplication>
#include <QElapsedTimer>
#include <QThread>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "meridian/core/SlideSource.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace meridian::test {

inline std::filesystem::path demoSlidePath() {
  return std::filesystem::path(MERIDIAN_TEST_DEMO_DATA) / "pathology-ihc-slide.tif";
}

inline std::shared_ptr<core::SlideSource> openDemoSlide() {
  auto opened = io::ReaderRegistry::builtin().open(demoSlidePath());
  if (!opened || opened.value().kind() != io::ImageKind::Slide) return nullptr;
  return std::get<std::shared_ptr<core::SlideSource>>(opened.value().content);
}

/// A SlideSource that hands everything to a real slide; tests derive from it and change
/// the one call their test is about (usually readRegion).
class ForwardingSlide : public core::SlideSource {
 public:
  explicit ForwardingSlide(std::shared_ptr<const core::SlideSource> real) : real_(std::move(real)) {}
  std::string vendor() const override { return real_->vendor(); }
  const std::vector<core::SlideLevel>& levels() const override { return real_->levels(); }
  std::optional<std::array<double, 2>> micronsPerPixel() const override { return real_->micronsPerPixel(); }
  const std::map<std::string, std::string>& properties() const override { return real_->properties(); }
  std::vector<std::string> associatedImageNames() const override { return real_->associatedImageNames(); }
  core::Result<core::Image2D> readAssociatedImage(const std::string& name) const override {
    return real_->readAssociatedImage(name);
  }
  core::Result<core::Image2D> readRegion(int level, std::int64_t x, std::int64_t y, int width,
                                         int height) const override {
    return real_->readRegion(level, x, y, width, height);
  }

 protected:
  std::shared_ptr<const core::SlideSource> real_;
};

/// The real slide behind it; reads whose level-0 origin x is >= failFromX (at levels finer
/// than failBelowLevel) fail like an unreadable file would, others may be delayed.
class InstrumentedSlide : public ForwardingSlide {
 public:
  explicit InstrumentedSlide(std::shared_ptr<const core::SlideSource> real) : ForwardingSlide(std::move(real)) {}

  std::atomic<std::int64_t> failFromX{std::numeric_limits<std::int64_t>::max()};
  std::atomic<int> failBelowLevel{1000};
  std::atomic<int> delayMs{0};

  std::optional<std::array<double, 2>> micronsPerPixel() const override {
    return mpp_ ? mpp_ : real_->micronsPerPixel();
  }
  core::Result<core::Image2D> readRegion(int level, std::int64_t x, std::int64_t y, int width,
                                         int height) const override {
    {
      std::lock_guard lock(mutex_);
      readThreads_.insert(QThread::currentThread());
    }
    ++reads_;
    if (delayMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delayMs.load()));
    struct Finished {  // counted however the read returns
      std::atomic<int>& n;
      ~Finished() { ++n; }
    } finished{finishedReads_};
    if (x >= failFromX && level < failBelowLevel)
      return core::makeError(core::ErrorCode::Io, "cannot read the slide file (test: the disk went away)");
    return real_->readRegion(level, x, y, width, height);
  }

  /// Pretends the scanner recorded microns per pixel (the demo slide has none).
  void setMicronsPerPixel(std::optional<std::array<double, 2>> mpp) { mpp_ = mpp; }
  std::set<QThread*> readThreads() const {
    std::lock_guard lock(mutex_);
    return readThreads_;
  }
  int reads() const { return reads_; }
  int finishedReads() const { return finishedReads_; }

 private:
  std::optional<std::array<double, 2>> mpp_;
  mutable std::mutex mutex_;
  mutable std::set<QThread*> readThreads_;
  mutable std::atomic<int> reads_{0};
  mutable std::atomic<int> finishedReads_{0};
};

/// Runs the event loop until `done` or `timeoutMs`; returns done().
inline bool waitUntil(const std::function<bool()>& done, int timeoutMs = 20000) {
  QElapsedTimer timer;
  timer.start();
  while (!done() && timer.elapsed() < timeoutMs) {
    QApplication::processEvents(QEventLoop::AllEvents, 10);
    QThread::msleep(1);  // leave the cores to the tile loader
  }
  return done();
}

}  // namespace meridian::test
