#include "exporters/prometheus/build_info_collector.h"

#include <utility>

namespace linkmon::exporters {

BuildInfoCollector::BuildInfoCollector(std::string daemon, std::string version)
    : daemon_(std::move(daemon)), version_(std::move(version)) {}

std::vector<prometheus::MetricFamily> BuildInfoCollector::Collect() const {
  prometheus::ClientMetric metric;
  metric.label = {{"daemon", daemon_}, {"version", version_}};
  metric.gauge.value = 1.0;
  prometheus::MetricFamily family;
  family.name = "linkmon_build_info";
  family.help = "Always 1; labels name the linkmon daemon and its version.";
  family.type = prometheus::MetricType::Gauge;
  family.metric.push_back(std::move(metric));
  return {std::move(family)};
}

}  // namespace linkmon::exporters
