#pragma once

// The one HTTP/1.1 server of a daemon (Boost.Beast on the daemon's io_context): /metrics, health,
// and later the API, ingest and the web page, all on one port (DESIGN.md).
//
// Everything from a client is hostile until checked, so every read has a deadline and every buffer
// a limit: header size, body size (also refused early from Content-Length), time to send the
// header, time to send the body, idle time between keep-alive requests, connections in total and
// per client address. Every refusal is counted in linkmon_http_refused_total{reason}.
//
// Thread-safety: not thread-safe; create, run and stop it on one io_context running on one thread.

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "common/result.h"
#include "exporters/http/http_router.h"

namespace linkmon::exporters {

struct HttpServerOptions {
  // Where to listen; port 0 picks a free port (see HttpServer::local_endpoint()).
  boost::asio::ip::tcp::endpoint listen{boost::asio::ip::address_v4::loopback(), 0};
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds header_timeout = std::chrono::seconds(10);
  std::chrono::milliseconds body_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);
  std::chrono::milliseconds write_timeout = std::chrono::seconds(30);
  std::size_t max_connections = 512;
  std::size_t max_connections_per_client = 32;
};

class HttpSession;

class HttpServer {
 public:
  // Binds and starts accepting. Fails (kIo) when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(boost::asio::io_context& io,
                                                   HttpServerOptions options, HttpRouter router,
                                                   prometheus::Registry& registry);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  boost::asio::ip::tcp::endpoint local_endpoint() const;

  // Stops accepting and closes every open connection. Idempotent.
  void Stop();

  std::size_t open_connections() const { return sessions_.size(); }

 private:
  friend class HttpSession;

  // Why a connection or request was refused: the `reason` label values.
  enum class Refusal {
    kConnectionLimit,
    kClientConnectionLimit,
    kHeaderTooLarge,
    kBodyTooLarge,
    kBadRequest,
    kReadTimeout,
  };

  HttpServer(boost::asio::io_context& io, HttpServerOptions options, HttpRouter router,
             prometheus::Registry& registry);
  void Accept();
  void OnAccept(boost::asio::ip::tcp::socket socket);

  // Called by sessions.
  void CountRefusal(Refusal reason);
  void ObserveRequest(std::string_view route, unsigned status, std::chrono::nanoseconds handler_time);
  void SessionClosed(HttpSession* session, const boost::asio::ip::address& client);

  boost::asio::io_context& io_;
  HttpServerOptions options_;
  HttpRouter router_;
  boost::asio::ip::tcp::acceptor acceptor_;
  bool stopped_ = false;
  std::set<std::shared_ptr<HttpSession>> sessions_;
  std::map<boost::asio::ip::address, std::size_t> connections_per_client_;

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& refused_;
  prometheus::Family<prometheus::Histogram>& handler_seconds_;
};

}  // namespace linkmon::exporters
