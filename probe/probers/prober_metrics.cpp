#include "probe/probers/prober_metrics.h"

#include <utility>

namespace linkmon::probers {

namespace {

using Counter = std::uint64_t ProberCounters::*;
using Labels = std::vector<prometheus::ClientMetric::Label>;

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

std::string VersionName(icmp::IpVersion version) {
  return version == icmp::IpVersion::kV4 ? "4" : "6";
}

Labels SeriesLabels(const std::string& target, Method method) {
  Labels labels;
  if (!target.empty()) labels.push_back({"dst", target});
  labels.push_back({"method", std::string(MethodName(method))});
  return labels;
}

}  // namespace

void ProberCollector::Reserve(std::size_t probers) {
  entries_.reserve(probers);
  if (options_.per_target) targets_.reserve(probers);
}

void ProberCollector::Add(std::string target, Method method, int dscp, const Prober& prober) {
  entries_.push_back({&prober, method, dscp});
  if (options_.per_target) targets_.push_back(std::move(target));
}

std::vector<prometheus::MetricFamily> ProberCollector::Collect() const {
  struct Spec {
    const char* name;
    const char* help;
    Counter counter;
  };
  static constexpr Spec kSpecs[] = {
      {"linkmon_probe_probes_sent_total", "Probes that left, by method (and target).",
       &ProberCounters::probes_sent},
      {"linkmon_probe_send_errors_total", "Probes the kernel refused to send (not losses).",
       &ProberCounters::send_errors},
      {"linkmon_probe_foreign_replies_total",
       "Replies that were not answers to our probes (counted, never recorded).",
       &ProberCounters::foreign_replies},
      {"linkmon_probe_malformed_replies_total",
       "Replies that could not be decoded or failed authentication.",
       &ProberCounters::malformed_replies},
      {"linkmon_probe_kernel_transmit_timestamps_total",
       "Probes whose send time the kernel stamped (SO_TIMESTAMPING).",
       &ProberCounters::kernel_transmit_stamps},
  };
  // One series per entry (per_target), or per method and DSCP with the entries' counters summed.
  struct Series {
    Labels labels;
    ProberCounters counters;
  };
  std::vector<Series> series;
  if (options_.per_target) {
    series.reserve(entries_.size());
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      const Entry& entry = entries_[i];
      Labels labels = SeriesLabels(targets_[i], entry.method);
      labels.push_back({"dscp", std::to_string(entry.dscp)});
      series.push_back({std::move(labels), entry.prober->counters()});
    }
  } else {
    std::map<std::pair<Method, int>, ProberCounters> sums;
    for (const Entry& entry : entries_)
      sums[{entry.method, entry.dscp}] += entry.prober->counters();
    for (const auto& [key, counters] : sums) {
      Labels labels = SeriesLabels("", key.first);
      labels.push_back({"dscp", std::to_string(key.second)});
      series.push_back({std::move(labels), counters});
    }
  }
  std::vector<prometheus::MetricFamily> families;
  for (const Spec& spec : kSpecs) {
    prometheus::MetricFamily family = Family(spec.name, spec.help, prometheus::MetricType::Counter);
    family.metric.reserve(series.size());
    for (const Series& one : series) {
      prometheus::ClientMetric metric;
      metric.label = one.labels;
      metric.counter.value = static_cast<double>(one.counters.*spec.counter);
      family.metric.push_back(std::move(metric));
    }
    families.push_back(std::move(family));
  }
  prometheus::MetricFamily sockets =
      Family("linkmon_probe_icmp_socket_info",
             "Always 1 per shared ICMP echo socket: its IP version, kind (datagram or raw) and "
             "kernel timestamping.",
             prometheus::MetricType::Gauge);
  prometheus::MetricFamily foreign =
      Family("linkmon_probe_icmp_foreign_replies_total",
             "Echo replies on a shared ICMP socket with another identifier, cookie or flow.",
             prometheus::MetricType::Counter);
  for (const auto& [key, service] : resources_.icmp_services()) {
    prometheus::ClientMetric info;
    info.label = {
        {"version", VersionName(key.first)},
        {"dscp", std::to_string(key.second)},
        {"kind", std::string(icmp::SocketKindName(service->kind()))},
        {"timestamps", std::string(net::KernelTimestampingName(service->timestamping()))}};
    info.gauge.value = 1;
    sockets.metric.push_back(std::move(info));
    prometheus::ClientMetric count;
    count.label = {{"version", VersionName(key.first)}, {"dscp", std::to_string(key.second)}};
    count.counter.value = static_cast<double>(service->counters().foreign_replies);
    foreign.metric.push_back(std::move(count));
  }
  families.push_back(std::move(sockets));
  families.push_back(std::move(foreign));
  return families;
}

void PathOutcomeCollector::Record(const PathKey& path, const stats::IntervalSummary& summary) {
  Outcome& outcome = options_.per_target ? paths_[path] : methods_[path.method];
  outcome.counts += summary.counts;
  if (summary.timestamp_source != stats::TimestampSource::kNone) {
    outcome.source = summary.timestamp_source;
  }
}

std::vector<prometheus::MetricFamily> PathOutcomeCollector::Collect() const {
  struct Spec {
    const char* name;
    const char* help;
    std::uint64_t stats::ProbeCounts::*count;
  };
  static constexpr Spec kSpecs[] = {
      {"linkmon_probe_replies_received_total", "Probes answered within their timeout.",
       &stats::ProbeCounts::received},
      {"linkmon_probe_replies_late_total",
       "Probes answered after their timeout but before the late horizon (not lost).",
       &stats::ProbeCounts::late},
      {"linkmon_probe_probes_lost_total", "Probes without an answer before the late horizon.",
       &stats::ProbeCounts::lost},
      {"linkmon_probe_probes_untracked_total",
       "Probes sent while the table of outstanding probes was full: their fate is unknown.",
       &stats::ProbeCounts::untracked},
      {"linkmon_probe_replies_duplicated_total", "Answers beyond the first to one probe.",
       &stats::ProbeCounts::duplicated},
      {"linkmon_probe_replies_reordered_total",
       "Answers that arrived after a later probe's answer (RFC 4737).",
       &stats::ProbeCounts::reordered},
  };
  std::vector<std::pair<Labels, const Outcome*>> series;
  for (const auto& [path, outcome] : paths_) {
    series.emplace_back(SeriesLabels(path.target.str(), path.method), &outcome);
  }
  for (const auto& [method, outcome] : methods_) {
    series.emplace_back(SeriesLabels("", method), &outcome);
  }
  std::vector<prometheus::MetricFamily> families;
  for (const Spec& spec : kSpecs) {
    prometheus::MetricFamily family = Family(spec.name, spec.help, prometheus::MetricType::Counter);
    family.metric.reserve(series.size());
    for (const auto& [labels, outcome] : series) {
      prometheus::ClientMetric metric;
      metric.label = labels;
      metric.counter.value = static_cast<double>(outcome->counts.*spec.count);
      family.metric.push_back(std::move(metric));
    }
    families.push_back(std::move(family));
  }
  prometheus::MetricFamily sources =
      Family("linkmon_probe_timestamp_source_info",
             "Always 1: the clock that stamped the replies of the last interval that had any "
             "(of the target, or of any target of the method).",
             prometheus::MetricType::Gauge);
  for (const auto& [labels, outcome] : series) {
    prometheus::ClientMetric metric;
    metric.label = labels;
    metric.label.push_back({"source", std::string(stats::TimestampSourceName(outcome->source))});
    metric.gauge.value = 1;
    sources.metric.push_back(std::move(metric));
  }
  families.push_back(std::move(sources));
  return families;
}

}  // namespace linkmon::probers
