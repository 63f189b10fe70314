#pragma once

// linkmon_build_info{daemon="probe",version="0.1.0"} 1: the usual "info" metric, so dashboards
// and alerts can tell which version of which daemon they are looking at (and join on it).

#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace linkmon::exporters {

class BuildInfoCollector : public prometheus::Collectable {
 public:
  // `daemon` is "probe" or "collector"; `version` is the project version string.
  BuildInfoCollector(std::string daemon, std::string version);

  // prometheus::Collectable
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string daemon_;
  std::string version_;
};

}  // namespace linkmon::exporters
