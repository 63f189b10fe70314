#pragma once

// GET /api/v1/matrix[?window=5m]: every configured path (source x target x method) with its RTT
// quantiles, loss, jitter and throughput on one window (the shortest by default), its SLA state
// and its data age. docs/api.md shows an answer.
//
// Schedulers ask many times a second, so the body is built from the paths' snapshots (no merging)
// and cached: it is rebuilt only when a minute has closed (PathStates::version) or the second has
// changed (data ages and staleness move with the clock), and served with an ETag and
// Cache-Control: max-age=1, so that a client may also skip the transfer (304).
//
// Not thread-safe: runs on the collector's io_context thread, as PathStates does.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "collector/sla/path_states.h"
#include "exporters/http/http_types.h"

namespace linkmon::api {

class MatrixEndpoint {
 public:
  explicit MatrixEndpoint(const sla::PathStates& states);

  exporters::HttpResponse Handle(const exporters::HttpRequest& request);

  // The body for `window` at `now`, uncached: for tests and the benchmark.
  std::string Render(std::size_t window_index, SystemTime now) const;

 private:
  struct Cached {
    std::uint64_t version = 0;
    std::int64_t second = -1;
    std::string etag;
    std::string body;
  };

  const sla::PathStates& states_;
  std::vector<Cached> cache_;  // one per window
};

}  // namespace linkmon::api
