#pragma once

// Reading HttpServer's counters in tests (linkmon_http_refused_total{reason} and the like).

#include <prometheus/registry.h>

#include <chrono>
#include <string>
#include <thread>

namespace linkmon::exporters::testing {

// The counter `name` whose label value is `label_value`, or -1 when absent.
inline double CounterValue(prometheus::Registry& registry, const std::string& name,
                           const std::string& label_value) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        if (label.value == label_value) return metric.counter.value;
      }
    }
  }
  return -1;
}

// The server counts some refusals after the client already sees the connection end (Beast's
// stream closes the socket on a timeout and runs the read handler afterwards; a TLS client may
// finish its handshake before the server refuses it), so a test waits until the counter reaches
// `expected` instead of reading it once; bounded at five seconds. Returns the last value.
inline double AwaitCounter(prometheus::Registry& registry, const std::string& name,
                           const std::string& label_value, double expected) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  double value = CounterValue(registry, name, label_value);
  while (value < expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    value = CounterValue(registry, name, label_value);
  }
  return value;
}

}  // namespace linkmon::exporters::testing
