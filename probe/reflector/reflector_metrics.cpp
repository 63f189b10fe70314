#include "probe/reflector/reflector_metrics.h"

#include <string>
#include <utility>

namespace linkmon::reflector {

namespace {

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

prometheus::MetricFamily Counter(std::string name, std::string help, std::uint64_t value) {
  prometheus::MetricFamily family =
      Family(std::move(name), std::move(help), prometheus::MetricType::Counter);
  prometheus::ClientMetric metric;
  metric.counter.value = static_cast<double>(value);
  family.metric.push_back(std::move(metric));
  return family;
}

}  // namespace

std::vector<prometheus::MetricFamily> ReflectorCollector::Collect() const {
  const ReflectorCounters& c = reflector_.counters();
  std::vector<prometheus::MetricFamily> families;
  families.push_back(Counter("linkmon_reflector_received_packets_total",
                             "STAMP datagrams received by the reflector.", c.received_packets));
  families.push_back(Counter("linkmon_reflector_received_bytes_total",
                             "UDP payload bytes received by the reflector.", c.received_bytes));
  families.push_back(Counter("linkmon_reflector_reflected_packets_total",
                             "STAMP replies sent by the reflector.", c.reflected_packets));
  families.push_back(Counter("linkmon_reflector_reflected_bytes_total",
                             "UDP payload bytes sent by the reflector; never above received.",
                             c.reflected_bytes));
  prometheus::MetricFamily refused = Family(
      "linkmon_reflector_refused_packets_total",
      "Datagrams the reflector dropped unanswered, by reason.", prometheus::MetricType::Counter);
  for (RefusalReason reason : kAllRefusalReasons) {
    prometheus::ClientMetric metric;
    metric.label = {{"reason", std::string(RefusalReasonName(reason))}};
    metric.counter.value = static_cast<double>(c.refused_for(reason));
    refused.metric.push_back(std::move(metric));
  }
  families.push_back(std::move(refused));
  families.push_back(Counter("linkmon_reflector_send_errors_total",
                             "Replies the kernel refused to send.", c.send_errors));
  prometheus::MetricFamily sessions =
      Family("linkmon_reflector_sessions", "STAMP sessions (sender address and port) held now.",
             prometheus::MetricType::Gauge);
  prometheus::ClientMetric session_count;
  session_count.gauge.value = static_cast<double>(reflector_.session_count());
  sessions.metric.push_back(std::move(session_count));
  families.push_back(std::move(sessions));
  families.push_back(Counter("linkmon_reflector_sessions_evicted_total",
                             "Live sessions dropped because the session table was full.",
                             c.sessions_evicted));
  families.push_back(Counter("linkmon_reflector_sessions_expired_total",
                             "Sessions forgotten after being idle.", c.sessions_expired));
  families.push_back(Counter("linkmon_reflector_sources_evicted_total",
                             "Per-source rate-limit states dropped because the table was full.",
                             c.sources_evicted));
  prometheus::MetricFamily source =
      Family("linkmon_reflector_timestamp_source_info",
             "Always 1; source says how receive times (T2) are taken: so_timestamping or "
             "so_timestampns (kernel) or none (user space).",
             prometheus::MetricType::Gauge);
  prometheus::ClientMetric info;
  info.label = {{"source", std::string(net::KernelTimestampingName(reflector_.timestamping()))}};
  info.gauge.value = 1;
  source.metric.push_back(std::move(info));
  families.push_back(std::move(source));
  return families;
}

}  // namespace linkmon::reflector
