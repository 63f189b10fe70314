#pragma once

// GET /api/v1/matrix[?window=5m&from=SITE&method=icmp]: every configured path (source x target x
// method), or those from one site and/or of one method, with its RTT quantiles, loss, jitter and
// throughput on one window (the shortest by default), its SLA state and its data age. docs/api.md
// shows an answer.
//
// Schedulers ask many times a second, so the body is built from the paths' snapshots (no merging)
// and cached per (window, from, method): it is rebuilt only when a minute has closed or the config
// was reloaded (PathStates::version) or the second has changed (data ages and staleness move with
// the clock); every other request copies the cached body. Answers carry an ETag and
// Cache-Control: max-age=1, so that a client may also skip the transfer (304). With `from`, only
// that site's paths are rendered (a contiguous range of PathStates::paths()): at 10,000 paths from
// 100 sites the body is 1/100 of the full matrix.
//
// Not thread-safe: runs on the collector's io_context thread, as PathStates does.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collector/sla/path_states.h"
#include "exporters/http/http_types.h"

namespace linkmon::api {

class MatrixEndpoint {
 public:
  explicit MatrixEndpoint(const sla::PathStates& states);

  exporters::HttpResponse Handle(const exporters::HttpRequest& request);

  // Which paths an answer holds; absent means any.
  struct Filter {
    std::optional<SiteName> from;
    std::optional<Method> method;
  };

  // The body for `window` at `now`, uncached: for tests and the benchmark.
  std::string Render(std::size_t window_index, SystemTime now, const Filter& filter = {}) const;

 private:
  struct Cached {
    std::uint64_t version = 0;
    std::int64_t second = -1;
    std::string etag;
    std::string body;
  };

  const sla::PathStates& states_;
  // By "window/from/method"; bounded by windows x (sites + 1) x (methods + 1), since `from` must
  // be a configured site.
  std::map<std::string, Cached, std::less<>> cache_;
};

}  // namespace linkmon::api
