#include "collector/sla/error_budget.h"

#include <algorithm>

namespace linkmon::sla {

namespace {

constexpr std::chrono::minutes kMinute{1};

void Add(MinuteCounts& counts, Verdict verdict, std::int64_t n) {
  switch (verdict) {
    case Verdict::kGood: counts.good += n; break;
    case Verdict::kBad: counts.bad += n; break;
    case Verdict::kUnknown: counts.unknown += n; break;
  }
}

}  // namespace

ErrorBudget::ErrorBudget(config::Slo slo) : slo_(slo) {}

std::optional<SystemTime> ErrorBudget::end() const {
  if (runs_.empty()) return std::nullopt;
  return runs_.back().start + runs_.back().length * kMinute;
}

void ErrorBudget::Record(SystemTime first_minute, Verdict verdict, std::int64_t count) {
  if (count <= 0) return;
  if (auto newest_end = end(); newest_end && first_minute < *newest_end) {
    const auto overlap = std::chrono::duration_cast<std::chrono::minutes>(*newest_end -
                                                                          first_minute).count();
    if (overlap >= count) return;
    first_minute = *newest_end;
    count -= overlap;
  }
  Add(totals_, verdict, count);
  if (!runs_.empty() && runs_.back().verdict == verdict &&
      runs_.back().start + runs_.back().length * kMinute == first_minute) {
    runs_.back().length += count;
  } else {
    runs_.push_back(Run{first_minute, count, verdict});
  }
  // Forget runs wholly before the period; the first kept run may start before it.
  const SystemTime period_start = *end() - slo_.period;
  while (!runs_.empty() && runs_.front().start + runs_.front().length * kMinute <= period_start) {
    runs_.pop_front();
  }
}

MinuteCounts ErrorBudget::CountsBetween(SystemTime from, SystemTime to) const {
  MinuteCounts counts;
  for (const Run& run : runs_) {
    const SystemTime run_end = run.start + run.length * kMinute;
    const SystemTime begin = std::max(run.start, from);
    const SystemTime finish = std::min(run_end, to);
    if (begin >= finish) continue;
    // Minutes are whole, so ceil picks the first minute starting at or after `begin`.
    const auto first = std::chrono::ceil<std::chrono::minutes>(begin - run.start);
    const auto last = std::chrono::ceil<std::chrono::minutes>(finish - run.start);
    Add(counts, run.verdict, (last - first).count());
  }
  return counts;
}

void ErrorBudget::ForEachMinute(SystemTime from, SystemTime to,
                                const std::function<void(SystemTime, Verdict)>& visit) const {
  for (const Run& run : runs_) {
    const SystemTime run_end = run.start + run.length * kMinute;
    if (run_end <= from || run.start >= to) continue;
    SystemTime minute = run.start;
    if (minute < from) minute += std::chrono::ceil<std::chrono::minutes>(from - run.start);
    for (; minute < run_end && minute < to; minute += kMinute) visit(minute, run.verdict);
  }
}

std::optional<double> ErrorBudget::BurnRate(std::chrono::minutes lookback) const {
  const auto newest_end = end();
  if (!newest_end) return std::nullopt;
  const MinuteCounts counts = CountsBetween(*newest_end - lookback, *newest_end);
  const std::int64_t judged = counts.good + counts.bad;
  if (judged == 0) return std::nullopt;
  const double bad_fraction = static_cast<double>(counts.bad) / static_cast<double>(judged);
  return bad_fraction / (1.0 - slo_.objective.value);
}

BudgetStatus ErrorBudget::Status() const {
  BudgetStatus status;
  const double period_minutes =
      std::chrono::duration<double, std::ratio<60>>(slo_.period).count();
  status.allowed_bad_minutes = (1.0 - slo_.objective.value) * period_minutes;
  if (const auto newest_end = end()) {
    status.in_period = CountsBetween(*newest_end - slo_.period, *newest_end);
  }
  status.remaining_ratio =
      1.0 - static_cast<double>(status.in_period.bad) / status.allowed_bad_minutes;
  status.burn_rate_1h = BurnRate(std::chrono::hours(1));
  status.burn_rate_6h = BurnRate(std::chrono::hours(6));
  return status;
}

}  // namespace linkmon::sla
