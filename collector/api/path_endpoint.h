#pragma once

// GET /api/v1/paths/{src}/{dst}[?method=icmp&from=T&to=T]: everything about the paths from one
// site to one target (one entry per method): the windows, the judgement of the newest closed
// minute with every threshold's value and margin, the error budget, the minute history over
// [from, to) (default: the last hour; at most one day per request), the open breach and the
// breaches that overlap the range.
//
// Minute history: every minute's verdict over the SLO period is kept, also across restarts (the
// history store gives it back at start-up); its figures (probes, loss, RTT) only while the minute
// is within the longest window (1 h by default): older minutes show null figures here, and the
// store holds them. Breaches come from memory and, for closed ones of any age, from the archive
// (breach_lookup.h).
//
// Not thread-safe, as PathStates.

#include "collector/sla/path_states.h"
#include "collector/sla/sla_history.h"
#include "exporters/http/http_types.h"

namespace linkmon::api {

class PathEndpoint {
 public:
  // `archive` may be null: breaches from memory only.
  explicit PathEndpoint(const sla::PathStates& states, sla::BreachArchive* archive = nullptr);

  // `request.path` is "/api/v1/paths/{src}/{dst}".
  exporters::HttpResponse Handle(const exporters::HttpRequest& request) const;

 private:
  const sla::PathStates& states_;
  sla::BreachArchive* archive_;
};

}  // namespace linkmon::api
