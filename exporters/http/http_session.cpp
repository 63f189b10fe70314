#include "exporters/http/http_session.h"

#include <openssl/ssl.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "exporters/http/certificate_names.h"
#include "exporters/http/http_server.h"

namespace linkmon::exporters {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;

namespace {

std::variant<beast::tcp_stream, beast::ssl_stream<beast::tcp_stream>> MakeStream(
    boost::asio::ip::tcp::socket socket, const TlsContext& tls) {
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;
  if (tls == nullptr) {
    return std::variant<beast::tcp_stream, TlsStream>(std::in_place_type<beast::tcp_stream>,
                                                      std::move(socket));
  }
  return std::variant<beast::tcp_stream, TlsStream>(std::in_place_type<TlsStream>,
                                                    std::move(socket), *tls);
}

bool IsTlsError(const beast::error_code& ec) {
  return ec.category() == boost::asio::error::get_ssl_category() ||
         ec.category() == ssl::error::get_stream_category();
}

}  // namespace

HttpSession::HttpSession(HttpServer& server, boost::asio::ip::tcp::socket socket,
                         boost::asio::ip::address client, TlsContext tls)
    : server_(server),
      tls_context_(std::move(tls)),
      stream_(MakeStream(std::move(socket), tls_context_)),
      client_(std::move(client)) {}

beast::tcp_stream& HttpSession::transport() {
  return std::visit(
      [](auto& stream) -> beast::tcp_stream& { return beast::get_lowest_layer(stream); }, stream_);
}

void HttpSession::Run() {
  auto* tls = std::get_if<TlsStream>(&stream_);
  if (tls == nullptr) return ReadHeader(server_.options_.header_timeout);
  transport().expires_after(server_.options_.handshake_timeout);
  tls->async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
    self->OnHandshake(ec);
  });
}

void HttpSession::OnHandshake(beast::error_code ec) {
  if (ec == boost::asio::error::operation_aborted) return Finish();
  if (ec) {
    const bool timed_out = ec == beast::error::timeout;
    server_.CountRefusal(timed_out ? HttpServer::Refusal::kTlsHandshakeTimeout
                                   : HttpServer::Refusal::kTlsHandshakeFailed);
    server_.LogTlsRefusal(
        client_, timed_out ? "tls_handshake_timeout" : "tls_handshake_failed",
        timed_out ? ec.message()
                  : TlsHandshakeFailure(std::get<TlsStream>(stream_).native_handle(), ec));
    return Finish();
  }
  // Verified by the handshake when client certificates are required (mutual TLS).
  client_certificate_names_ =
      CertificateNames(SSL_get0_peer_certificate(std::get<TlsStream>(stream_).native_handle()));
  ReadHeader(server_.options_.header_timeout);
}

void HttpSession::Close() {
  beast::error_code ignored;
  transport().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  transport().close();
  // No operation is pending while a deferred handler has the request, so none will end the
  // session: end it here, and drop the answer when it comes.
  if (awaiting_answer_) Finish();
}

void HttpSession::ReadHeader(std::chrono::milliseconds timeout) {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(server_.options_.max_header_bytes));
  parser_->body_limit(server_.options_.max_body_bytes);
  transport().expires_after(timeout);
  std::visit(
      [this](auto& stream) {
        http::async_read_header(
            stream, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
      },
      stream_);
}

void HttpSession::OnHeader(beast::error_code ec) {
  // Beast refuses a Content-Length above the body limit here already, before a byte of the body
  // is read.
  if (ec) return OnReadError(ec);
  if (parser_->is_done()) return Dispatch();
  if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    continue_.emplace(http::status::continue_, parser_->get().version());
    transport().expires_after(server_.options_.write_timeout);
    std::visit(
        [this](auto& stream) {
          http::async_write(stream, *continue_,
                            [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                              if (write_ec) return self->Finish();
                              self->ReadBody();
                            });
        },
        stream_);
    return;
  }
  ReadBody();
}

void HttpSession::ReadBody() {
  transport().expires_after(server_.options_.body_timeout);
  std::visit(
      [this](auto& stream) {
        http::async_read(
            stream, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnBody(ec); });
      },
      stream_);
}

void HttpSession::OnBody(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  Dispatch();
}

void HttpSession::OnReadError(beast::error_code ec) {
  // A TLS client that closes without close_notify ends its connection like any other.
  if (ec == http::error::end_of_stream || ec == boost::asio::error::operation_aborted ||
      ec == ssl::error::stream_truncated) {
    return Finish();
  }
  if (ec == beast::error::timeout) {
    // A client that started a request and stalled is refused; an idle keep-alive connection
    // simply ends.
    if (parser_->got_some()) server_.CountRefusal(HttpServer::Refusal::kReadTimeout);
    return Finish();
  }
  if (IsTlsError(ec)) {
    // A broken TLS record: nothing more can be said to this client, not even a 400.
    server_.CountRefusal(HttpServer::Refusal::kTlsError);
    server_.LogTlsRefusal(client_, "tls_error", ec.message());
    return Finish();
  }
  if (ec == http::error::header_limit) {
    server_.CountRefusal(HttpServer::Refusal::kHeaderTooLarge);
    return Refuse(http::status::request_header_fields_too_large,
                  "request header larger than " +
                      std::to_string(server_.options_.max_header_bytes) + " bytes");
  }
  if (ec == http::error::body_limit) {
    server_.CountRefusal(HttpServer::Refusal::kBodyTooLarge);
    return Refuse(
        http::status::payload_too_large,
        "request body larger than " + std::to_string(server_.options_.max_body_bytes) + " bytes");
  }
  server_.CountRefusal(HttpServer::Refusal::kBadRequest);
  Refuse(http::status::bad_request, "malformed HTTP request: " + ec.message());
}

void HttpSession::Dispatch() {
  const HttpMessage& message = parser_->get();
  const std::string_view target(message.target().data(), message.target().size());
  const std::size_t question = target.find('?');
  HttpRequest request{
      message, client_, target.substr(0, question),
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1),
      client_certificate_names_};

  const auto match = server_.router_.Find(message.method(), request.path);
  const auto started = std::chrono::steady_clock::now();
  if (match.deferred != nullptr) {
    awaiting_answer_ = true;
    answer_started_ = started;
    answer_route_ = match.route_name;
    // The responder may run on any thread: it only posts to this session's executor.
    (*match.deferred)(request, [self = shared_from_this(),
                                executor = transport().get_executor()](HttpResponse response) {
      boost::asio::post(executor, [self, response = std::move(response)]() mutable {
        self->OnDeferredAnswer(std::move(response));
      });
    });
    return;
  }
  HttpResponse response =
      match.handler != nullptr ? (*match.handler)(request)
      : match.path_known
          ? MakeJsonError(http::status::method_not_allowed, "method not allowed for this path")
          : MakeJsonError(http::status::not_found, "no such path");
  answer_route_ = match.route_name;
  Answer(std::move(response), started);
}

void HttpSession::OnDeferredAnswer(HttpResponse response) {
  if (finished_ || !awaiting_answer_) return;  // closed meanwhile, or answered twice
  awaiting_answer_ = false;
  Answer(std::move(response), answer_started_);
}

void HttpSession::Answer(HttpResponse response, std::chrono::steady_clock::time_point started) {
  const HttpMessage& message = parser_->get();
  server_.ObserveRequest(answer_route_, response.result_int(),
                         std::chrono::steady_clock::now() - started);
  if (message.method() == http::verb::head) {
    response.body().clear();  // keep the Content-Length the GET would carry
  }
  response.version(message.version());
  response.keep_alive(message.keep_alive());
  Send(std::move(response), !message.keep_alive());
}

void HttpSession::Refuse(http::status status, std::string_view message) {
  // After a refused request the stream's position is unknown: answer and close.
  HttpResponse response = MakeJsonError(status, message);
  response.keep_alive(false);
  server_.ObserveRequest("refused", response.result_int(), std::chrono::nanoseconds(0));
  Send(std::move(response), /*close_after=*/true);
}

void HttpSession::Send(HttpResponse response, bool close_after) {
  response_.emplace(std::move(response));
  transport().expires_after(server_.options_.write_timeout);
  std::visit(
      [this, close_after](auto& stream) {
        http::async_write(
            stream, *response_,
            [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
              self->OnSent(ec, close_after);
            });
      },
      stream_);
}

void HttpSession::OnSent(beast::error_code ec, bool close_after) {
  response_.reset();
  if (ec) return Finish();
  if (close_after) return CloseAfterAnswer();
  ReadHeader(server_.options_.idle_timeout);
}

void HttpSession::CloseAfterAnswer() {
  if (auto* tls = std::get_if<TlsStream>(&stream_)) {
    transport().expires_after(server_.options_.write_timeout);
    // Completes when the client answers close_notify or closes; either way the session ends.
    tls->async_shutdown([self = shared_from_this()](beast::error_code) { self->Finish(); });
    return;
  }
  beast::error_code ignored;
  transport().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  Finish();
}

void HttpSession::Finish() {
  if (finished_) return;
  finished_ = true;
  beast::error_code ignored;
  transport().socket().close(ignored);
  server_.SessionClosed(this, client_);
}

}  // namespace linkmon::exporters
