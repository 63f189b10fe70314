#include "exporters/http/request_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <map>
#include <string>

namespace linkmon::exporters {
namespace {

using namespace std::chrono_literals;

// A family's series as "label=value,label=value" -> value (counter) or sample count (histogram).
std::map<std::string, double> Series(prometheus::Registry& registry, const std::string& name) {
  std::map<std::string, double> series;
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      std::string labels;
      for (const auto& label : metric.label) {
        labels += (labels.empty() ? "" : ",") + label.name + "=" + label.value;
      }
      series[labels] = family.type == prometheus::MetricType::Histogram
                           ? static_cast<double>(metric.histogram.sample_count)
                           : metric.counter.value;
    }
  }
  return series;
}

TEST(RequestMetricsTest, CountsEachRouteAndCodeInItsOwnSeries) {
  prometheus::Registry registry;
  RequestMetrics metrics(registry);
  {
    const std::string route = "matrix";  // gone after this call: the metrics keep their own copy
    metrics.Observe(route, 200, 100us);
  }
  metrics.Observe("matrix", 200, 100us);
  metrics.Observe("matrix", 304, 50us);
  metrics.Observe("rank", 200, 3ms);
  metrics.Observe("rank", 404, 10us);
  metrics.Observe("matrix", 200, 100us);

  EXPECT_EQ(Series(registry, "linkmon_http_requests_total"),
            (std::map<std::string, double>{{"code=200,route=matrix", 3},
                                           {"code=304,route=matrix", 1},
                                           {"code=200,route=rank", 1},
                                           {"code=404,route=rank", 1}}));
  EXPECT_EQ(Series(registry, "linkmon_http_handler_duration_seconds"),
            (std::map<std::string, double>{{"route=matrix", 4}, {"route=rank", 2}}));
}

TEST(RequestMetricsTest, ObservesHandlerTimeInSeconds) {
  prometheus::Registry registry;
  RequestMetrics metrics(registry);
  metrics.Observe("rank", 200, 3ms);
  metrics.Observe("rank", 200, 1500ms);
  for (const auto& family : registry.Collect()) {
    if (family.name != "linkmon_http_handler_duration_seconds") continue;
    ASSERT_EQ(family.metric.size(), 1u);
    EXPECT_DOUBLE_EQ(family.metric[0].histogram.sample_sum, 1.503);
    return;
  }
  FAIL() << "no linkmon_http_handler_duration_seconds";
}

}  // namespace
}  // namespace linkmon::exporters
