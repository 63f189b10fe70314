#pragma once

// GET /api/v1/breaches[?from=T&to=T&src=SITE&dst=TARGET&format=csv]: breach events (closed and
// open) that overlap [from, to) (default: the last 24 hours), oldest first: the evidence for a
// carrier dispute. `format=csv` (or an Accept header naming text/csv) gives the same rows as CSV
// with a header line, for a spreadsheet; names cannot hold commas or quotes (common/ids.h), so no
// cell needs quoting.
//
// Not thread-safe, as PathStates.

#include "collector/sla/path_states.h"
#include "exporters/http/http_types.h"

namespace linkmon::api {

class BreachesEndpoint {
 public:
  explicit BreachesEndpoint(const sla::PathStates& states);

  exporters::HttpResponse Handle(const exporters::HttpRequest& request) const;

 private:
  const sla::PathStates& states_;
};

// The CSV rendering: header and one line per event, "\r\n"-terminated (RFC 4180).
std::string BreachesCsv(const std::vector<sla::BreachEvent>& events, SystemTime now);

}  // namespace linkmon::api
