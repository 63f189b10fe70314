#include "exporters/http/http_server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/ip/v6_only.hpp>

#include "common/logging.h"
#include "exporters/http/http_session.h"

namespace linkmon::exporters {

namespace {

std::string_view RefusalName(int reason) {
  static constexpr std::string_view kNames[] = {"connection_limit",
                                                "client_connection_limit",
                                                "header_too_large",
                                                "body_too_large",
                                                "bad_request",
                                                "read_timeout",
                                                "tls_handshake_failed",
                                                "tls_handshake_timeout",
                                                "tls_error"};
  return kNames[reason];
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(boost::asio::io_context& io,
                                                      HttpServerOptions options, HttpRouter router,
                                                      prometheus::Registry& registry) {
  std::unique_ptr<HttpServer> server(
      new HttpServer(io, std::move(options), std::move(router), registry));
  boost::system::error_code ec;
  auto& acceptor = server->acceptor_;
  const auto& endpoint = server->options_.listen;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec && endpoint.address().is_v6()) acceptor.set_option(boost::asio::ip::v6_only(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(ErrorCode::kIo, "http: cannot listen on " + endpoint.address().to_string() +
                                         ":" + std::to_string(endpoint.port()) + ": " +
                                         ec.message());
  }
  server->Accept();
  return server;
}

HttpServer::HttpServer(boost::asio::io_context& io, HttpServerOptions options, HttpRouter router,
                       prometheus::Registry& registry)
    : io_(io),
      options_(std::move(options)),
      router_(std::move(router)),
      acceptor_(io),
      refused_(prometheus::BuildCounter()
                   .Name("linkmon_http_refused_total")
                   .Help("HTTP connections or requests refused, by reason.")
                   .Register(registry)),
      request_metrics_(registry) {
  // Create the refusal series up front so that a dashboard sees zeros, not absent series.
  for (int reason = 0; reason <= static_cast<int>(Refusal::kTlsError); ++reason) {
    refused_.Add({{"reason", std::string(RefusalName(reason))}});
  }
}

HttpServer::~HttpServer() { Stop(); }

boost::asio::ip::tcp::endpoint HttpServer::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void HttpServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  // Close() makes pending operations complete with an error; each session then calls
  // SessionClosed, which erases it. Iterate over a copy for that reason.
  auto sessions = sessions_;
  for (const auto& session : sessions) session->Close();
}

void HttpServer::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted || stopped_) return;
    if (!ec) OnAccept(std::move(socket));
    // Errors such as EMFILE are transient: keep accepting.
    Accept();
  });
}

void HttpServer::OnAccept(boost::asio::ip::tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;
  const auto client = remote.address();
  if (sessions_.size() >= options_.max_connections) {
    CountRefusal(Refusal::kConnectionLimit);
    spdlog::warn("event=http_refused reason=connection_limit client={}", client.to_string());
    return;  // the socket closes as it goes out of scope
  }
  std::size_t& from_client = connections_per_client_[client];
  if (from_client >= options_.max_connections_per_client) {
    CountRefusal(Refusal::kClientConnectionLimit);
    spdlog::warn("event=http_refused reason=client_connection_limit client={}", client.to_string());
    return;
  }
  ++from_client;
  auto session = std::make_shared<HttpSession>(*this, std::move(socket), client, options_.tls);
  sessions_.insert(session);
  session->Run();
}

Status HttpServer::ReplaceTlsContext(TlsContext tls) {
  if (options_.tls == nullptr || tls == nullptr) {
    return MakeError(ErrorCode::kUnsupported,
                     "http: switching between HTTP and HTTPS needs a restart");
  }
  options_.tls = std::move(tls);
  return {};
}

void HttpServer::LogTlsRefusal(const boost::asio::ip::address& client, std::string_view reason,
                               const std::string& detail) {
  spdlog::warn("event=http_refused reason={} client={} detail={}", reason, client.to_string(),
               KvQuote(detail));
}

void HttpServer::CountRefusal(Refusal reason) {
  refused_.Add({{"reason", std::string(RefusalName(static_cast<int>(reason)))}}).Increment();
}

void HttpServer::ObserveRequest(std::string_view route, unsigned status,
                                std::chrono::nanoseconds handler_time) {
  request_metrics_.Observe(route, status, handler_time);
}

void HttpServer::SessionClosed(HttpSession* session, const boost::asio::ip::address& client) {
  if (auto it = connections_per_client_.find(client); it != connections_per_client_.end()) {
    if (--it->second == 0) connections_per_client_.erase(it);
  }
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->get() == session) {
      sessions_.erase(it);
      break;
    }
  }
}

}  // namespace linkmon::exporters
