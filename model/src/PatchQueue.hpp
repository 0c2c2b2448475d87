#pragma once
// A bounded multi-producer, single-consumer queue: slide reader threads push decoded,
// preprocessed patches, the inference thread pops batches. Bounded so fast readers cannot
// fill memory ahead of a slow model; close() wakes everyone for shutdown.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

namespace meridian::model {

template <class T>
class PatchQueue {
 public:
  explicit PatchQueue(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  /// Blocks while full; false when the queue was closed (the item is dropped).
  bool push(T item) {
    std::unique_lock<std::mutex> lock(mutex_);
    notFull_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    notEmpty_.notify_one();
    return true;
  }

  /// Waits until `maxItems` are there or no producer is left, then takes up to maxItems.
  /// An empty result means: closed, or every producer finished and nothing is left.
  std::vector<T> popBatch(std::size_t maxItems) {
    std::unique_lock<std::mutex> lock(mutex_);
    notEmpty_.wait(lock, [&] { return closed_ || items_.size() >= maxItems || producers_ == 0; });
    std::vector<T> out;
    if (closed_) return out;
    while (!items_.empty() && out.size() < maxItems) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    notFull_.notify_all();
    return out;
  }

  void setProducers(int count) {
    std::lock_guard<std::mutex> lock(mutex_);
    producers_ = count;
  }
  void producerDone() {
    std::lock_guard<std::mutex> lock(mutex_);
    --producers_;
    notEmpty_.notify_all();
  }
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    notFull_.notify_all();
    notEmpty_.notify_all();
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable notFull_, notEmpty_;
  std::deque<T> items_;
  int producers_ = 0;
  bool closed_ = false;
};

}  // namespace meridian::model
