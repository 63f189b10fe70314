#pragma once

// GET /api/v1/matrix[?window=5m&from=SITE&method=icmp]: every configured path (source x target x
// method), or those from one site and/or of one method, with its RTT quantiles, loss, jitter and
// throughput on one window (the shortest by default), its SLA state and its data age. docs/api.md
// shows an answer.
//
// Schedulers ask many times a second, so the body is built from the paths' snapshots (no merging)
// and cached per (window, from, method) (answer_cache.h): it is rebuilt only when a minute has
// closed or the config was reloaded (PathStates::version) or the second has changed (data ages and
// staleness move with the clock), by Refresh right after the second begins for the answers
// clients are asking for, so that no request waits for it. A rebuild renders again only the rows
// whose path changed (matrix_rows.h) and splices the clock's values into the others. Answers
// carry an ETag and Cache-Control: max-age=1, so that a client may also skip the transfer (304).
// With `from`, only that site's paths are rendered (a contiguous range of PathStates::paths()): at
// 10,000 paths from 100 sites the body is 1/100 of the full matrix.
//
// Not thread-safe: runs on the collector's io_context thread, as PathStates does.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "collector/api/answer_cache.h"
#include "collector/api/matrix_rows.h"
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

  // The body for `window` at `now`, not from the answer cache (rows unchanged since an earlier
  // render are reused): for tests and the benchmark.
  std::string Render(std::size_t window_index, SystemTime now, const Filter& filter = {});

  // Renders the answers asked for in the last seconds again for the clock's present second and
  // PathStates' version (AnswerCache::Refresh); call right after a second begins or minutes
  // closed. Returns how many it rendered.
  std::size_t Refresh();

 private:
  const sla::PathStates& states_;
  // By "window/from/method"; bounded by windows x (sites + 1) x (methods + 1), since `from` must
  // be a configured site.
  AnswerCache cache_{'m'};
  std::vector<MatrixRows> rows_;  // by window index
};

}  // namespace linkmon::api
