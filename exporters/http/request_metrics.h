#pragma once

// RequestMetrics: what HttpServer counts of every answered request, by route and status code:
// linkmon_http_requests_total{route,code} and linkmon_http_handler_duration_seconds{route}.
//
// Why the series are kept. prometheus-cpp's Family::Add builds the label map, hashes it, takes
// the family's mutex and, for a histogram, constructs a new Histogram (its bucket vectors) before
// it finds the one that already exists: a few µs and ~10 allocations on every request of a
// scheduler asking 100 times a second, for the same handful of series. Each (route, code) is
// looked up in the family once; afterwards a request finds its series by comparing the route
// names it already holds.
//
// Bounded: routes are the router's names (and "refused"), codes are HTTP status codes.
// Thread-safety: not thread-safe, like HttpServer (one io_context thread); the series themselves
// are read by scrapes from any thread, as prometheus-cpp allows.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace linkmon::exporters {

class RequestMetrics {
 public:
  explicit RequestMetrics(prometheus::Registry& registry);

  // One answered request of `route` with `status`, its handler having taken `handler_time`.
  void Observe(std::string_view route, unsigned status, std::chrono::nanoseconds handler_time);

 private:
  struct RouteSeries {
    std::string route;
    prometheus::Histogram* handler_seconds;
    std::vector<std::pair<unsigned, prometheus::Counter*>> requests_by_code;
  };

  RouteSeries& SeriesOf(std::string_view route);
  prometheus::Counter& RequestsOf(RouteSeries& series, unsigned status);

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& handler_seconds_;
  std::vector<RouteSeries> routes_;
};

}  // namespace linkmon::exporters
