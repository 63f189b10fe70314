#pragma once

// The one HTTP/1.1 server of a daemon (Boost.Beast on the daemon's io_context): /metrics, health,
// and later the API, ingest and the web page, all on one port (DESIGN.md).
//
// Everything from a client is hostile until checked, so every read has a deadline and every buffer
// a limit: header size, body size (also refused early from Content-Length), time to send the
// header, time to send the body, idle time between keep-alive requests, connections in total and
// per client address. Every refusal is counted in linkmon_http_refused_total{reason}.
//
// With HttpServerOptions::tls set the port speaks TLS only (tls_context.h): there is no plain
// HTTP beside it, so no request can reach a handler unencrypted by mistake. The handshake has its
// own deadline; a failed one (plain HTTP, garbage, an untrusted or missing client certificate) is
// counted, logged at warn with OpenSSL's reason and closed. The limits above apply unchanged
// after the handshake.
//
// Thread-safety: not thread-safe; create, run and stop it on one io_context running on one thread.

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <set>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/result.h"
#include "exporters/http/http_router.h"
#include "exporters/http/request_metrics.h"
#include "exporters/http/tls_context.h"

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
  // Set: every connection is TLS (MakeTlsServerContext). Null: plain HTTP.
  TlsContext tls = nullptr;
  // From accept to the end of the TLS handshake.
  std::chrono::milliseconds handshake_timeout = std::chrono::seconds(10);
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

  // Connections accepted from now on use `tls` (certificates rotated on SIGHUP); open ones keep
  // the context they started with. Refused (kUnsupported) on a plain HTTP server or with a null
  // context: switching between HTTP and HTTPS takes a restart.
  Status ReplaceTlsContext(TlsContext tls);

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
    kTlsHandshakeFailed,
    kTlsHandshakeTimeout,
    kTlsError,  // a broken TLS record after the handshake
  };

  HttpServer(boost::asio::io_context& io, HttpServerOptions options, HttpRouter router,
             prometheus::Registry& registry);
  void Accept();
  void OnAccept(boost::asio::ip::tcp::socket socket);

  // Called by sessions.
  void CountRefusal(Refusal reason);
  void LogTlsRefusal(const boost::asio::ip::address& client, std::string_view reason,
                     const std::string& detail);
  void ObserveRequest(std::string_view route, unsigned status,
                      std::chrono::nanoseconds handler_time);
  void SessionClosed(HttpSession* session, const boost::asio::ip::address& client);

  boost::asio::io_context& io_;
  HttpServerOptions options_;
  HttpRouter router_;
  boost::asio::ip::tcp::acceptor acceptor_;
  bool stopped_ = false;
  std::set<std::shared_ptr<HttpSession>> sessions_;
  std::map<boost::asio::ip::address, std::size_t> connections_per_client_;

  prometheus::Family<prometheus::Counter>& refused_;
  RequestMetrics request_metrics_;
};

}  // namespace linkmon::exporters
