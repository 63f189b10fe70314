#pragma once

// BreachTracker: opens and closes one path's breach events from its minute verdicts, with
// hysteresis (config::BreachHysteresis), so that one noisy minute neither opens nor closes one.
//
// - A breach opens when `open_after_bad_minutes` consecutive minutes are bad. Its start is the
//   start of the first of them: the evidence covers the whole bad run, not just its tail.
// - It closes when `close_after_good_minutes` consecutive minutes are good. Its end is the end of
//   its last bad minute: good minutes that prove the recovery are not part of the breach.
// - An unknown minute (no data) breaks both runs: a breach cannot open or close without
//   evidence, so a path that goes silent during a breach keeps it open (and shows as stale).
// - While open, bad minutes are counted and every violated threshold keeps its worst value
//   (highest for upper bounds, lowest for min_bandwidth): the figures a carrier dispute needs.
//
// Not thread-safe: owned by PathStates.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collector/sla/threshold_judgement.h"
#include "common/clock.h"
#include "common/ids.h"
#include "config/config.h"

namespace linkmon::sla {

// A threshold crossed during a breach, with the worst value seen (ThresholdUnit of its kind).
// worst_value is absent when the threshold was violated only by a dead path (no reply at all).
struct CrossedThreshold {
  ThresholdKind kind;
  std::chrono::nanoseconds window;
  double limit;
  std::optional<double> worst_value;
  std::int64_t violated_minutes = 0;
  bool operator==(const CrossedThreshold&) const = default;
};

struct BreachEvent {
  // "<src>-><dst>/<method>@<start unix seconds>": stable across restarts, since a rebuild from
  // the same minutes opens the same breach at the same start.
  std::string id;
  PathKey path;
  SlaClassName sla_class;
  SystemTime start;               // start of the first bad minute
  std::optional<SystemTime> end;  // end of the last bad minute; absent while open
  std::int64_t bad_minutes = 0;
  std::vector<CrossedThreshold> crossed;  // in ThresholdKind order
  bool operator==(const BreachEvent&) const = default;
};

// Everything a tracker carries from one minute to the next, so that a restart can carry it on
// (history/history_store.h stores it). The bad run is pending->bad_minutes; good_run counts good
// minutes since the last bad one while a breach is open.
struct BreachTrackerState {
  std::optional<BreachEvent> pending;
  std::optional<BreachEvent> open;
  int good_run = 0;
  SystemTime last_bad_end{};
  bool operator==(const BreachTrackerState&) const = default;
};

class BreachTracker {
 public:
  BreachTracker(PathKey path, SlaClassName sla_class, config::BreachHysteresis hysteresis);

  enum class Change { kNone, kOpened, kClosed };

  // Feeds the verdict of the minute starting at `minute` (minutes in increasing order). On
  // kClosed, `closed` holds the finished event.
  Change OnMinute(SystemTime minute, const Judgement& judgement,
                  std::optional<BreachEvent>* closed = nullptr);
  // Feeds one or more unknown minutes (a silence of any length has the same effect).
  void OnUnknownMinutes();

  // A reloaded config changed the path's class or its hysteresis: the current runs and the open
  // breach are kept and judged with the new counts from the next minute on. An event keeps the
  // class it opened under.
  void Reclassify(SlaClassName sla_class, config::BreachHysteresis hysteresis) {
    sla_class_ = std::move(sla_class);
    hysteresis_ = hysteresis;
  }

  // The open breach, or null.
  const BreachEvent* open() const { return open_ ? &*open_ : nullptr; }

  // The carried state (see BreachTrackerState), and its restoration after a restart.
  BreachTrackerState State() const;
  void Restore(const BreachTrackerState& state);
  // True once after any minute that changed the carried state: what the history store has to
  // write. A path good minute after minute never changes it.
  bool TakeChanged() { return std::exchange(changed_, false); }

 private:
  Change Step(SystemTime minute, const Judgement& judgement, std::optional<BreachEvent>* closed);
  bool Idle() const { return !pending_ && !open_ && bad_run_ == 0 && good_run_ == 0; }
  void Accumulate(BreachEvent& event, const Judgement& judgement) const;

  PathKey path_;
  SlaClassName sla_class_;
  config::BreachHysteresis hysteresis_;
  int bad_run_ = 0;
  int good_run_ = 0;
  std::optional<BreachEvent> pending_;  // the current bad run before it is long enough
  std::optional<BreachEvent> open_;
  SystemTime last_bad_end_{};  // end of the newest bad minute of the pending or open breach
  bool changed_ = false;
};

}  // namespace linkmon::sla
