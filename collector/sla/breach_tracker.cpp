#include "collector/sla/breach_tracker.h"

#include <algorithm>

namespace linkmon::sla {

namespace {

constexpr std::chrono::minutes kMinute{1};

std::string BreachId(const PathKey& path, SystemTime start) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(start.time_since_epoch()).count();
  return path.ToString() + "@" + std::to_string(seconds);
}

}  // namespace

BreachTracker::BreachTracker(PathKey path, SlaClassName sla_class,
                             config::BreachHysteresis hysteresis)
    : path_(std::move(path)), sla_class_(std::move(sla_class)), hysteresis_(hysteresis) {}

void BreachTracker::Accumulate(BreachEvent& event, const Judgement& judgement) const {
  ++event.bad_minutes;
  for (const ThresholdResult& result : judgement.thresholds) {
    if (result.outcome != ThresholdOutcome::kViolated) continue;
    auto it = std::find_if(event.crossed.begin(), event.crossed.end(),
                           [&](const CrossedThreshold& c) { return c.kind == result.kind; });
    if (it == event.crossed.end()) {
      CrossedThreshold crossed{.kind = result.kind,
                               .window = result.window,
                               .limit = result.limit,
                               .worst_value = result.value,
                               .violated_minutes = 0};
      it = event.crossed.insert(
          std::upper_bound(event.crossed.begin(), event.crossed.end(), crossed,
                           [](const CrossedThreshold& a, const CrossedThreshold& b) {
                             return a.kind < b.kind;
                           }),
          crossed);
    } else if (result.value) {
      if (!it->worst_value) {
        it->worst_value = result.value;
      } else {
        it->worst_value = IsLowerBound(result.kind) ? std::min(*it->worst_value, *result.value)
                                                    : std::max(*it->worst_value, *result.value);
      }
    }
    ++it->violated_minutes;
  }
}

BreachTrackerState BreachTracker::State() const {
  // An idle tracker's last_bad_end is a leftover that no later minute reads: left out, so that
  // every idle tracker has the same (empty) state.
  return BreachTrackerState{.pending = pending_,
                            .open = open_,
                            .good_run = good_run_,
                            .last_bad_end = pending_ || open_ ? last_bad_end_ : SystemTime{}};
}

void BreachTracker::Restore(const BreachTrackerState& state) {
  pending_ = state.pending;
  open_ = state.open;
  bad_run_ = pending_ ? static_cast<int>(pending_->bad_minutes) : 0;
  good_run_ = open_ ? state.good_run : 0;
  last_bad_end_ = state.last_bad_end;
  changed_ = false;  // as stored
}

BreachTracker::Change BreachTracker::OnMinute(SystemTime minute, const Judgement& judgement,
                                              std::optional<BreachEvent>* closed) {
  const bool was_idle = Idle();
  const Change change = Step(minute, judgement, closed);
  if (!was_idle || !Idle()) changed_ = true;
  return change;
}

BreachTracker::Change BreachTracker::Step(SystemTime minute, const Judgement& judgement,
                                          std::optional<BreachEvent>* closed) {
  switch (judgement.verdict) {
    case Verdict::kUnknown:
      OnUnknownMinutes();
      return Change::kNone;
    case Verdict::kBad:
      good_run_ = 0;
      if (open_) {
        Accumulate(*open_, judgement);
        last_bad_end_ = minute + kMinute;
        return Change::kNone;
      }
      if (!pending_) {
        pending_ = BreachEvent{.id = BreachId(path_, minute),
                               .path = path_,
                               .sla_class = sla_class_,
                               .start = minute,
                               .end = std::nullopt,
                               .bad_minutes = 0,
                               .crossed = {}};
      }
      Accumulate(*pending_, judgement);
      last_bad_end_ = minute + kMinute;
      if (++bad_run_ >= hysteresis_.open_after_bad_minutes) {
        open_ = std::move(pending_);
        pending_.reset();
        bad_run_ = 0;
        return Change::kOpened;
      }
      return Change::kNone;
    case Verdict::kGood:
      bad_run_ = 0;
      pending_.reset();
      if (!open_) return Change::kNone;
      if (++good_run_ >= hysteresis_.close_after_good_minutes) {
        open_->end = last_bad_end_;
        if (closed != nullptr) *closed = std::move(open_);
        open_.reset();
        good_run_ = 0;
        return Change::kClosed;
      }
      return Change::kNone;
  }
  return Change::kNone;
}

void BreachTracker::OnUnknownMinutes() {
  if (!Idle()) changed_ = true;
  bad_run_ = 0;
  good_run_ = 0;
  pending_.reset();
}

}  // namespace linkmon::sla
