#pragma once
// When the slide viewer may read a tile again after its read failed. A network drive that
// hiccups makes a few reads fail and then works again: those tiles must heal without
// reopening the slide. A region that is really unreadable must not be read over and over
// (every read of a broken file costs a decoder error and, on a network share, a timeout).
// So each failed tile waits before its next read, twice as long after each failure
// (2 s, 4 s, 8 s by default), and after maxReads failed reads it is given up on until the
// slide is opened again. Plain C++ (no Qt): the caller passes the time, so tests do not sleep.

#include <chrono>
#include <optional>
#include <unordered_map>

#include "meridian/viewers/TileCache.hpp"

namespace meridian::viewers {

struct TileRetrySettings {
  std::chrono::milliseconds firstDelay{2000};  // wait after the first failed read
  int maxReads = 4;                            // failed reads after which the tile is given up
};

class TileRetryPolicy {
 public:
  using Clock = std::chrono::steady_clock;
  using Settings = TileRetrySettings;

  TileRetryPolicy() = default;
  explicit TileRetryPolicy(Settings settings) : settings_(settings) {}
  const Settings& settings() const { return settings_; }
  /// New settings apply to the next failure (waits already scheduled keep their time).
  void setSettings(Settings settings) { settings_ = settings; }

  /// Forgets every failure (another slide was opened).
  void clear() { failures_.clear(); }

  /// A read of `key` failed at `now`. True when the tile will be read again later.
  bool recordFailure(const TileKey& key, Clock::time_point now);
  /// A read of `key` succeeded. True when it had failed before (it healed).
  bool recordSuccess(const TileKey& key) { return failures_.erase(key) != 0; }

  /// May `key` be read at `now`: never failed, or its wait is over and it is not given up.
  bool mayRead(const TileKey& key, Clock::time_point now) const;
  bool gaveUp(const TileKey& key) const;
  /// Failed reads of `key` since it last succeeded (0 when it never failed).
  int failedReads(const TileKey& key) const;
  /// The wait after the n-th failed read (n >= 1): firstDelay * 2^(n - 1).
  std::chrono::milliseconds delayAfter(int failedReads) const;
  /// The earliest moment after `now` at which some tile may be read again (nullopt: none waits).
  std::optional<Clock::time_point> nextRetry(Clock::time_point now) const;
  /// Tiles with failures on record (waiting or given up).
  std::size_t size() const { return failures_.size(); }

 private:
  struct Failure {
    int reads = 0;
    Clock::time_point retryAt;
  };

  Settings settings_;
  std::unordered_map<TileKey, Failure, TileKeyHash> failures_;
};

}  // namespace meridian::viewers
