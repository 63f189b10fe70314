#include "collector/windows/path_windows.h"

#include <algorithm>
#include <set>
#include <string>

#include "common/units.h"

namespace linkmon::windows {

PathWindows::PathWindows(std::vector<std::chrono::nanoseconds> windows)
    : windows_(std::move(windows)) {
  std::sort(windows_.begin(), windows_.end());
}

Status PathWindows::ValidateWindows(std::span<const std::chrono::nanoseconds> windows) {
  if (windows.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "windows: at least one window is needed");
  }
  std::set<std::chrono::nanoseconds> seen;
  for (auto window : windows) {
    if (window < kMinute || window % kMinute != std::chrono::nanoseconds(0)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "windows: " + FormatDuration(window) +
                           " is not a whole number of minutes (windows are built from minutes)");
    }
    if (!seen.insert(window).second) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "windows: " + FormatDuration(window) + " is listed twice");
    }
  }
  return {};
}

Status PathWindows::Add(SystemTime minute, const MinuteStats& stats) {
  auto [it, inserted] = minutes_.try_emplace(minute, stats);
  if (inserted) return {};
  return it->second.Merge(stats);
}

std::vector<WindowStats> PathWindows::Compute(SystemTime last_minute) const {
  // Windows are sorted ascending, so one pass backwards from the newest minute merges each minute
  // once and finishes the windows in turn: 60 merges for 1 min, 5 min and 1 h together.
  std::vector<WindowStats> result;
  result.reserve(windows_.size());
  MinuteStats merged;
  int minutes_with_data = 0;
  auto it = minutes_.upper_bound(last_minute);
  auto begin = minutes_.begin();
  for (auto window : windows_) {
    const SystemTime first = last_minute - window + kMinute;
    while (it != begin) {
      auto previous = std::prev(it);
      if (previous->first < first) break;
      // A failure means 2^64 samples in one window: report the window without them.
      if (merged.Merge(previous->second)) {
        if (previous->second.HasData()) ++minutes_with_data;
      }
      it = previous;
    }
    result.push_back(SummarizeWindow(window, minutes_with_data, merged));
  }
  return result;
}

void PathWindows::Trim(SystemTime last_minute) {
  const SystemTime keep_from = last_minute - longest() + kMinute;
  minutes_.erase(minutes_.begin(), minutes_.lower_bound(keep_from));
}

const MinuteStats* PathWindows::Find(SystemTime minute) const {
  auto it = minutes_.find(minute);
  return it == minutes_.end() ? nullptr : &it->second;
}

bool PathWindows::AnyDataBetween(SystemTime from, SystemTime to) const {
  for (auto it = minutes_.lower_bound(from); it != minutes_.end() && it->first <= to; ++it) {
    if (it->second.HasData()) return true;
  }
  return false;
}

std::optional<SystemTime> PathWindows::NextDataMinute(SystemTime after) const {
  for (auto it = minutes_.upper_bound(after); it != minutes_.end(); ++it) {
    if (it->second.HasData()) return it->first;
  }
  return std::nullopt;
}

}  // namespace linkmon::windows
