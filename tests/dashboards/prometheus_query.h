#pragma once

// Asks a real Prometheus one query over its HTTP API, as Grafana would: an instant query at now
// (POST /api/v1/query), or one over the last `range` (POST /api/v1/query_range, `step` apart),
// and counts the series of the answer. Blocking, one connection per query, a deadline on each.
// For the stack test (query_check.h); not for the daemons.

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <string>

#include "common/result.h"

namespace linkmon::dashboards {

struct PrometheusQueryOptions {
  boost::asio::ip::tcp::endpoint endpoint;  // 127.0.0.1:19090 in the demo
  std::chrono::seconds range{600};          // range queries: the last 10 min
  std::chrono::seconds step{15};            // Grafana's step at that range
  std::chrono::seconds timeout{10};         // per query
};

// Series in Prometheus' answer to `expr`. Fails with kParse and Prometheus' own message when it
// refuses the query (bad PromQL, an execution error), kUnavailable when it does not answer.
Result<std::size_t> CountSeries(const PrometheusQueryOptions& options, const std::string& expr,
                                bool instant);

// "application/x-www-form-urlencoded" encoding of one value (RFC 3986 unreserved kept).
std::string FormEncode(std::string_view value);

}  // namespace linkmon::dashboards
