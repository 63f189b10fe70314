#pragma once

// What the HttpServer tests share: a server on a real socket (127.0.0.1 or ::1, port 0) with its
// io_context on a thread of its own (tests/support/threaded_http_server.h), talked to over blocking
// sockets as any client would, and its counters (linkmon_http_refused_total{reason} and the like).

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "exporters/http/http_server.h"
#include "tests/support/threaded_http_server.h"

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

class HttpServerFixture : public ::testing::Test {
 protected:
  // Call with ASSERT_NO_FATAL_FAILURE (or as the last statement of a helper).
  void StartWith(HttpServerOptions options, HttpRouter router) {
    auto served =
        linkmon::testing::ThreadedHttpServer::Start(std::move(router), std::move(options));
    ASSERT_TRUE(served) << served.error().message;
    served_ = std::move(*served);
    endpoint_ = served_->endpoint();
  }

  void TearDown() override { served_.reset(); }

  prometheus::Registry& registry() { return served_->registry(); }

  boost::asio::io_context client_io_;
  std::unique_ptr<linkmon::testing::ThreadedHttpServer> served_;
  boost::asio::ip::tcp::endpoint endpoint_;
};

}  // namespace linkmon::exporters::testing
