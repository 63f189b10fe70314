#pragma once

// ErrorBudget: one path's minute verdicts over its SLO period, and the budget arithmetic on them.
//
// An SLO "99.9 % good minutes over 30 days" allows (1 - 0.999) * 43,200 = 43.2 bad minutes per
// 30 days: that is the budget. Definitions (docs/api.md repeats them):
// - allowed bad minutes = (1 - objective) * minutes in the period;
// - budget remaining = 1 - (bad minutes in the last period) / allowed bad minutes: 1 untouched,
//   0 spent, negative overspent (reported as is, so that "how far over" stays visible);
// - burn rate over a lookback L = (bad minutes / judged minutes in L) / (1 - objective): 1 spends
//   the budget exactly over the period, 14.4 over an hour is the classic page-now rate;
//   absent when no minute in L was judged.
// Unknown minutes (no data) are neither good nor bad: they spend no budget and count in no burn
// rate. Staleness is reported on its own (path state `stale`), never as good.
//
// Verdicts are kept run-length encoded, so a path that is good all month costs one run, not
// 43,200 entries. Minutes are recorded in increasing order; the period slides with the newest.
//
// Not thread-safe: owned by PathStates.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

#include "collector/sla/threshold_judgement.h"
#include "common/clock.h"
#include "config/config.h"

namespace linkmon::sla {

struct MinuteCounts {
  std::int64_t good = 0;
  std::int64_t bad = 0;
  std::int64_t unknown = 0;
  bool operator==(const MinuteCounts&) const = default;
};

struct BudgetStatus {
  MinuteCounts in_period;
  double allowed_bad_minutes = 0;
  double remaining_ratio = 1;
  std::optional<double> burn_rate_1h;
  std::optional<double> burn_rate_6h;
};

class ErrorBudget {
 public:
  explicit ErrorBudget(config::Slo slo);

  // Records `count` consecutive minutes starting at `first_minute` with one verdict. Minutes at or
  // before the newest recorded one are ignored (a verdict is final once given).
  void Record(SystemTime first_minute, Verdict verdict, std::int64_t count = 1);

  // The budget as of the end of the newest recorded minute.
  BudgetStatus Status() const;

  // Verdict counts of minutes starting in [from, to).
  MinuteCounts CountsBetween(SystemTime from, SystemTime to) const;
  // Calls `visit(minute_start, verdict)` for every recorded minute starting in [from, to), oldest
  // first.
  void ForEachMinute(SystemTime from, SystemTime to,
                     const std::function<void(SystemTime, Verdict)>& visit) const;

  // Every minute recorded since the start (or the rebuild): the `_total` counters of /metrics.
  const MinuteCounts& totals() const { return totals_; }
  const config::Slo& slo() const { return slo_; }
  // A reloaded config changed the SLO: recorded verdicts stay, the arithmetic uses the new
  // objective and period from now on (a longer period shows only the minutes still kept).
  void SetSlo(const config::Slo& slo) { slo_ = slo; }
  // The end of the newest recorded minute; nullopt before the first.
  std::optional<SystemTime> end() const;

 private:
  struct Run {
    SystemTime start;
    std::int64_t length;
    Verdict verdict;
  };
  std::optional<double> BurnRate(std::chrono::minutes lookback) const;

  config::Slo slo_;
  std::deque<Run> runs_;  // increasing, non-overlapping
  MinuteCounts totals_;
};

}  // namespace linkmon::sla
