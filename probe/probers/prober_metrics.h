#pragma once

// The probers' part of the probe's /metrics, read from their counters at scrape time, one series
// per target and method (labels dst, method, dscp: bounded by the config):
//   linkmon_probe_probes_sent_total, linkmon_probe_send_errors_total,
//   linkmon_probe_foreign_replies_total, linkmon_probe_malformed_replies_total,
//   linkmon_probe_kernel_transmit_timestamps_total,
// and per shared ICMP socket linkmon_probe_icmp_socket_info{version, kind, timestamps} 1 and
// linkmon_probe_icmp_foreign_replies_total{version, dscp}.
// Loss, late replies and timestamp sources per path travel in the interval summaries.
// Thread-safety: Collect() must run on the probers' thread.

#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "common/ids.h"
#include "probe/probers/prober.h"
#include "probe/probers/prober_registry.h"

namespace linkmon::probers {

class ProberCollector : public prometheus::Collectable {
 public:
  // `resources` must outlive the collector.
  explicit ProberCollector(const ProberResources& resources) : resources_(resources) {}

  // Registers a prober (which must outlive the collector, or be removed first).
  void Add(std::string target, Method method, int dscp, const Prober& prober);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Entry {
    std::string target;
    Method method;
    int dscp;
    const Prober* prober;
  };
  const ProberResources& resources_;
  std::vector<Entry> entries_;
};

}  // namespace linkmon::probers
