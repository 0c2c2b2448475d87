#include "meridian/viewers/TileRetryPolicy.hpp"

#include <algorithm>
#include <cstdint>

namespace meridian::viewers {

bool TileRetryPolicy::recordFailure(const TileKey& key, Clock::time_point now) {
  Failure& failure = failures_[key];
  ++failure.reads;
  failure.retryAt = now + delayAfter(failure.reads);
  return failure.reads < settings_.maxReads;
}

bool TileRetryPolicy::mayRead(const TileKey& key, Clock::time_point now) const {
  const auto it = failures_.find(key);
  if (it == failures_.end()) return true;
  return it->second.reads < settings_.maxReads && now >= it->second.retryAt;
}

bool TileRetryPolicy::gaveUp(const TileKey& key) const {
  const auto it = failures_.find(key);
  return it != failures_.end() && it->second.reads >= settings_.maxReads;
}

int TileRetryPolicy::failedReads(const TileKey& key) const {
  const auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second.reads;
}

std::chrono::milliseconds TileRetryPolicy::delayAfter(int failedReads) const {
  const int doublings = std::clamp(failedReads - 1, 0, 16);  // 2 s * 2^16 is already 36 h
  return settings_.firstDelay * (std::int64_t{1} << doublings);
}

std::optional<TileRetryPolicy::Clock::time_point> TileRetryPolicy::nextRetry(Clock::time_point now) const {
  std::optional<Clock::time_point> next;
  for (const auto& [key, failure] : failures_)
    if (failure.reads < settings_.maxReads && failure.retryAt > now && (!next || failure.retryAt < *next))
      next = failure.retryAt;
  return next;
}

}  // namespace meridian::viewers
