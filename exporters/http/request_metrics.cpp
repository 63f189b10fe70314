#include "exporters/http/request_metrics.h"

namespace linkmon::exporters {

namespace {

// Handler time in seconds: 50 µs to 2.5 s, enough to see a scheduler query's p99 move.
prometheus::Histogram::BucketBoundaries HandlerBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.25,   0.5,   1.0,    2.5};
}

}  // namespace

RequestMetrics::RequestMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("linkmon_http_requests_total")
                    .Help("HTTP requests answered, by route and status code.")
                    .Register(registry)),
      handler_seconds_(prometheus::BuildHistogram()
                           .Name("linkmon_http_handler_duration_seconds")
                           .Help("Time from a request to its answer: the handler, and for deferred "
                                 "routes the wait for the answer, by route.")
                           .Register(registry)) {}

void RequestMetrics::Observe(std::string_view route, unsigned status,
                             std::chrono::nanoseconds handler_time) {
  RouteSeries& series = SeriesOf(route);
  RequestsOf(series, status).Increment();
  series.handler_seconds->Observe(std::chrono::duration<double>(handler_time).count());
}

RequestMetrics::RouteSeries& RequestMetrics::SeriesOf(std::string_view route) {
  for (RouteSeries& series : routes_) {
    if (series.route == route) return series;
  }
  const std::string name(route);
  return routes_.emplace_back(
      RouteSeries{name, &handler_seconds_.Add({{"route", name}}, HandlerBuckets()), {}});
}

prometheus::Counter& RequestMetrics::RequestsOf(RouteSeries& series, unsigned status) {
  for (const auto& [code, counter] : series.requests_by_code) {
    if (code == status) return *counter;
  }
  prometheus::Counter& counter =
      requests_.Add({{"route", series.route}, {"code", std::to_string(status)}});
  series.requests_by_code.emplace_back(status, &counter);
  return counter;
}

}  // namespace linkmon::exporters
