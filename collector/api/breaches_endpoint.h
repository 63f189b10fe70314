#pragma once

// GET /api/v1/breaches[?from=T&to=T&src=SITE&dst=TARGET&format=csv&limit=N&cursor=C]: breach
// events (closed and open) that overlap [from, to) (default: the last 24 hours), oldest start
// first: the evidence for a carrier dispute. Closed breaches of any age within the retention come
// from the archive (the history store), so a restart loses none (breach_lookup.h).
// `format=csv` (or an Accept header naming text/csv) gives the same rows as CSV with a header
// line, for a spreadsheet; names cannot hold commas or quotes (common/ids.h), so no cell needs
// quoting.
//
// Bounded: at most `limit` events (default 1000, at most 10,000). When more match, JSON says
// "truncated": true with "next_cursor", and both formats carry the cursor in the
// X-Linkmon-Next-Cursor header: the same query with cursor=<it> gives the next page.
//
// Not thread-safe, as PathStates (and the archive, on the same io_context thread).

#include "collector/sla/path_states.h"
#include "collector/sla/sla_history.h"
#include "exporters/http/http_types.h"

namespace linkmon::api {

class BreachesEndpoint {
 public:
  // `archive` may be null: memory only.
  explicit BreachesEndpoint(const sla::PathStates& states, sla::BreachArchive* archive = nullptr);

  exporters::HttpResponse Handle(const exporters::HttpRequest& request) const;

 private:
  const sla::PathStates& states_;
  sla::BreachArchive* archive_;
};

// The CSV rendering: header and one line per event, "\r\n"-terminated (RFC 4180).
std::string BreachesCsv(const std::vector<sla::BreachEvent>& events, SystemTime now);

}  // namespace linkmon::api
