#pragma once

// A stand-in for the collector's POST /api/v1/ingest on a real socket (127.0.0.1, port 0), built
// on the daemons' own HttpServer: it records the bodies it accepts and can be told to answer 503
// or 429, to refuse given bodies with 403, or to go away and come back on the same port; over
// HTTPS when given a TLS context.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <prometheus/registry.h>
#include <boost/asio/io_context.hpp>

#include "exporters/http/http_server.h"

namespace linkmon::upload::testing {

class TestCollector {
 public:
  enum class Mode { kAccept, kUnavailable, kTooManyRequests };

  TestCollector(boost::asio::io_context& io, std::string token)
      : io_(io), token_(std::move(token)) {}

  // Listens on 127.0.0.1: port 0 the first time, the same port after Stop().
  void Start();
  void Stop();

  std::uint16_t port() const { return port_; }
  void set_mode(Mode mode) { mode_ = mode; }
  // HTTPS from the next Start() on (exporters/http/tls_context.h).
  void set_tls(exporters::TlsContext tls) { tls_ = std::move(tls); }
  // Answer for kUnavailable / kTooManyRequests, e.g. "0" or "1"; empty: no header.
  void set_retry_after(std::string value) { retry_after_ = std::move(value); }
  // Bodies answered with 403, as a collector does when a batch's probe id is not its token's.
  void Forbid(std::string body) { forbidden_.insert(std::move(body)); }

  const std::vector<std::string>& accepted() const { return accepted_; }
  std::size_t requests() const { return requests_; }

 private:
  boost::asio::io_context& io_;
  std::string token_;
  std::uint16_t port_ = 0;
  Mode mode_ = Mode::kAccept;
  exporters::TlsContext tls_;
  std::string retry_after_;
  std::set<std::string> forbidden_;
  std::vector<std::string> accepted_;
  std::size_t requests_ = 0;
  std::vector<std::unique_ptr<prometheus::Registry>> registries_;
  std::unique_ptr<exporters::HttpServer> server_;
  std::vector<std::unique_ptr<exporters::HttpServer>> retired_;
};

}  // namespace linkmon::upload::testing
