#pragma once

// PathWindows: one path's recent minutes and the sliding windows over them (1 min, 5 min, 1 h by
// default; any whole number of minutes). A window of length W ending with minute M covers the
// minutes [M - W + 1 min, M]: the 5 min window at the close of 12:04 holds 12:00 .. 12:04.
//
// Windows are built by merging minutes (exact for counts and RTT histograms; see MinuteStats), so
// nothing is kept but the minutes themselves, as far back as the longest window reaches. A minute
// may receive data more than once (several intervals, a late or retried upload): it is merged in.
//
// Not thread-safe: owned by PathStates.

#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "collector/windows/minute_stats.h"
#include "collector/windows/window_stats.h"
#include "common/result.h"

namespace linkmon::windows {

class PathWindows {
 public:
  // `windows`: validated by ValidateWindows; sorted ascending.
  explicit PathWindows(std::vector<std::chrono::nanoseconds> windows);

  // Checks that windows are non-empty, whole minutes, at least one minute, without repeats.
  static Status ValidateWindows(std::span<const std::chrono::nanoseconds> windows);

  // Merges `stats` into the minute starting at `minute` (a MinuteStart). The caller refuses
  // minutes no window it will compute can reach (PathStates does, relative to the next minute to
  // close); Trim drops them. Fails only when a count would overflow 64 bits.
  Status Add(SystemTime minute, const MinuteStats& stats);

  // Every window ending with the minute starting at `last_minute`, in the order of `windows`.
  std::vector<WindowStats> Compute(SystemTime last_minute) const;

  // Drops minutes that no window ending at `last_minute` or later can reach.
  void Trim(SystemTime last_minute);

  // The minute starting at `minute`, or null.
  const MinuteStats* Find(SystemTime minute) const;
  // Whether any minute in [from, to] holds data.
  bool AnyDataBetween(SystemTime from, SystemTime to) const;
  // The first minute after `after` that holds data, or nullopt.
  std::optional<SystemTime> NextDataMinute(SystemTime after) const;

  std::span<const std::chrono::nanoseconds> windows() const { return windows_; }
  std::chrono::nanoseconds longest() const { return windows_.back(); }
  const std::map<SystemTime, MinuteStats>& minutes() const { return minutes_; }

 private:
  std::vector<std::chrono::nanoseconds> windows_;
  std::map<SystemTime, MinuteStats> minutes_;
};

}  // namespace linkmon::windows
