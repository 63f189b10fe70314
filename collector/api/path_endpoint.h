#pragma once

// GET /api/v1/paths/{src}/{dst}[?method=icmp&from=T&to=T]: everything about the paths from one
// site to one target (one entry per method): the windows, the judgement of the newest closed
// minute with every threshold's value and margin, the error budget, the minute history over
// [from, to) (default: the last hour; at most one day per request), the open breach and the
// breaches that overlap the range.
//
// Minute history: every minute's verdict over the SLO period is kept, also across restarts (the
// history store gives it back at start-up). Its figures (probes, loss, RTT quantiles, jitter,
// throughput) come from PathStates' memory while the longest window (1 h by default) still reaches
// the minute, and from the store (SummaryStore::MinuteSummaries, one indexed range read per path)
// for older ones, so every minute of the retention has them. Bounded by the range: at most 24 h,
// 1,440 minutes a path, per request (a longer range is a 400, not a page: a client wanting a week
// asks for seven days). Breaches come from memory and, for closed ones of any age, from the archive
// (breach_lookup.h).
//
// Not thread-safe, as PathStates (and the store, owned by the same io_context thread).

#include "collector/sla/path_states.h"
#include "collector/sla/sla_history.h"
#include "collector/store/summary_store.h"
#include "exporters/http/http_types.h"

namespace linkmon::api {

class PathEndpoint {
 public:
  // `archive` may be null: breaches from memory only. `store` may be null: figures of the minutes
  // memory holds only (older ones null).
  explicit PathEndpoint(const sla::PathStates& states, sla::BreachArchive* archive = nullptr,
                        store::SummaryStore* store = nullptr);

  // `request.path` is "/api/v1/paths/{src}/{dst}".
  exporters::HttpResponse Handle(const exporters::HttpRequest& request) const;

 private:
  const sla::PathStates& states_;
  sla::BreachArchive* archive_;
  store::SummaryStore* store_;
};

}  // namespace linkmon::api
