#include "collector/metrics/path_metrics_collector.h"

#include <chrono>
#include <string>

namespace linkmon::metrics {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

double Seconds(std::chrono::nanoseconds value) {
  return std::chrono::duration<double>(value).count();
}

MetricFamily Family(std::string name, std::string help, MetricType type) {
  MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

std::vector<ClientMetric::Label> Labels(const sla::TrackedPath& path) {
  return {{"src", path.key.source.str()},
          {"dst", path.key.target.str()},
          {"method", std::string(MethodName(path.key.method))},
          {"sla_class", path.sla_class.name.str()}};
}

void AddGauge(MetricFamily& family, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
}

void AddCounter(MetricFamily& family, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.counter.value = value;
  family.metric.push_back(std::move(metric));
}

double StateCode(sla::PathState state) {
  switch (state) {
    case sla::PathState::kOk:
      return 0;
    case sla::PathState::kBad:
      return 1;
    case sla::PathState::kBreach:
      return 2;
    case sla::PathState::kStale:
      return 3;
    case sla::PathState::kUnknown:
      return 4;
  }
  return 4;
}

}  // namespace

PathMetricsCollector::PathMetricsCollector(const sla::PathStates& states) : states_(states) {}

std::vector<MetricFamily> PathMetricsCollector::Collect() const {
  const std::string window = states_.options().windows.empty()
                                 ? std::string("1m")
                                 : windows::WindowName(states_.options().windows.front());
  // Three gauges rather than one with a `quantile` label: that label belongs to summaries, whose
  // _sum and _count are cumulative, which window figures are not (promtool says so too).
  auto rtt_p50 =
      Family("linkmon_path_rtt_p50_seconds",
             "Median round-trip time of the path over the last " + window + ".", MetricType::Gauge);
  auto rtt_p95 =
      Family("linkmon_path_rtt_p95_seconds",
             "95th percentile round-trip time over the last " + window + ".", MetricType::Gauge);
  auto rtt_p99 =
      Family("linkmon_path_rtt_p99_seconds",
             "99th percentile round-trip time over the last " + window + ".", MetricType::Gauge);
  auto loss = Family("linkmon_path_loss_ratio",
                     "Lost and late probes over probes with a known fate, last " + window + ".",
                     MetricType::Gauge);
  auto jitter = Family("linkmon_path_jitter_seconds",
                       "Highest RFC 3550 interarrival jitter reported in the last " + window + ".",
                       MetricType::Gauge);
  auto throughput =
      Family("linkmon_path_throughput_bytes_per_second",
             "Lowest bandwidth-test throughput in the last " + window + ".", MetricType::Gauge);
  auto age = Family("linkmon_path_data_age_seconds",
                    "Time since the end of the newest measurement of the path.", MetricType::Gauge);
  auto state = Family("linkmon_path_sla_state",
                      "SLA state of the path: 0 ok, 1 bad, 2 breach, 3 stale, 4 unknown.",
                      MetricType::Gauge);
  auto breach = Family("linkmon_path_breach_open", "1 while a breach event of the path is open.",
                       MetricType::Gauge);
  // Minutes counted in seconds (60 per minute), the base unit: rate() of one over the sum of the
  // three is the share of time in that verdict.
  auto good =
      Family("linkmon_path_sla_good_seconds_total",
             "Time judged good against the path's SLA class (whole minutes).", MetricType::Counter);
  auto bad =
      Family("linkmon_path_sla_bad_seconds_total",
             "Time judged bad against the path's SLA class (whole minutes).", MetricType::Counter);
  auto unknown =
      Family("linkmon_path_sla_unknown_seconds_total",
             "Time without data to judge the path on (whole minutes).", MetricType::Counter);
  auto budget = Family("linkmon_path_error_budget_remaining_ratio",
                       "Share of the SLO period's error budget left (below 0 when overspent).",
                       MetricType::Gauge);
  // The objective behind the budget, so that Prometheus' burn rates and compliance divide by the
  // class's own (1 - objective) rather than a default written into the rules.
  auto objective = Family("linkmon_path_slo_objective_ratio",
                          "SLO objective of the path's SLA class: share of minutes to keep good.",
                          MetricType::Gauge);

  const SystemTime now = states_.clock().SystemNow();
  for (const sla::TrackedPath& path : states_.paths()) {
    const auto labels = Labels(path);
    if (!path.windows.empty()) {
      const windows::WindowStats& stats = path.windows.front();
      if (stats.rtt_p50) AddGauge(rtt_p50, labels, Seconds(*stats.rtt_p50));
      if (stats.rtt_p95) AddGauge(rtt_p95, labels, Seconds(*stats.rtt_p95));
      if (stats.rtt_p99) AddGauge(rtt_p99, labels, Seconds(*stats.rtt_p99));
      if (stats.loss) AddGauge(loss, labels, stats.loss->value);
      if (stats.jitter) AddGauge(jitter, labels, Seconds(*stats.jitter));
      if (stats.throughput) {
        AddGauge(throughput, labels, static_cast<double>(stats.throughput->bits_per_second) / 8);
      }
    }
    if (auto data_age = path.DataAge(now)) AddGauge(age, labels, Seconds(*data_age));
    AddGauge(state, labels, StateCode(states_.StateAt(path, now)));
    AddGauge(breach, labels, path.breaches.open() != nullptr ? 1 : 0);
    const sla::MinuteCounts& totals = path.budget.totals();
    AddCounter(good, labels, static_cast<double>(totals.good) * 60);
    AddCounter(bad, labels, static_cast<double>(totals.bad) * 60);
    AddCounter(unknown, labels, static_cast<double>(totals.unknown) * 60);
    AddGauge(budget, labels, path.budget.Status().remaining_ratio);
    AddGauge(objective, labels, path.sla_class.slo.objective.value);
  }
  std::vector<MetricFamily> families;
  for (auto* family : {&rtt_p50, &rtt_p95, &rtt_p99, &loss, &jitter, &throughput, &age, &state,
                       &breach, &good, &bad, &unknown, &budget, &objective}) {
    if (!family->metric.empty()) families.push_back(std::move(*family));
  }
  return families;
}

}  // namespace linkmon::metrics
