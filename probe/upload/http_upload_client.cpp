#include "probe/upload/http_upload_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <utility>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/version.hpp>

namespace linkmon::upload {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Result<std::unique_ptr<HttpUploadClient>> HttpUploadClient::Create(
    asio::io_context& io, HttpUploadClientOptions options) {
  if (options.host.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "upload client: empty collector host");
  }
  if (options.target.empty() || options.target.front() != '/') {
    return MakeError(ErrorCode::kInvalidArgument,
                     "upload client: target must start with '/': " + options.target);
  }
  exporters::TlsContext tls;
  if (options.tls) {
    auto context = exporters::MakeTlsClientContext(*options.tls);
    if (!context) return tl::unexpected(context.error());
    tls = std::move(*context);
  }
  return std::unique_ptr<HttpUploadClient>(
      new HttpUploadClient(io, std::move(options), std::move(tls)));
}

HttpUploadClient::HttpUploadClient(asio::io_context& io, HttpUploadClientOptions options,
                                   exporters::TlsContext tls)
    : io_(io),
      options_(std::move(options)),
      tls_(std::move(tls)),
      resolver_(io),
      resolve_deadline_(io) {}

HttpUploadClient::~HttpUploadClient() {
  alive_.reset();
  resolver_.cancel();
  resolve_deadline_.cancel();
  CloseStream();
}

void HttpUploadClient::Post(std::vector<std::uint8_t> body, Callback done) {
  done_ = std::move(done);
  request_ = {};
  request_.method(http::verb::post);
  request_.target(options_.target);
  request_.version(11);
  request_.set(http::field::host, options_.host + ":" + std::to_string(options_.port));
  request_.set(http::field::user_agent, "linkmon-probe");
  request_.set(http::field::content_type, options_.content_type);
  if (!options_.bearer_token.empty()) {
    request_.set(http::field::authorization, "Bearer " + options_.bearer_token);
  }
  request_.keep_alive(true);
  request_.body() = std::move(body);
  request_.prepare_payload();

  if (connected()) {
    reused_connection_ = true;
    Write();
  } else {
    reused_connection_ = false;
    Connect();
  }
}

void HttpUploadClient::Close() {
  resolver_.cancel();
  resolve_deadline_.cancel();
  CloseStream();
}

beast::tcp_stream& HttpUploadClient::transport() {
  if (auto* tls = std::get_if<TlsStream>(&stream_)) return beast::get_lowest_layer(*tls);
  return std::get<beast::tcp_stream>(stream_);
}

void HttpUploadClient::CloseStream() {
  if (!connected()) return;
  // No TLS close_notify: the collector treats a cut connection as the end of one, and a batch
  // is acknowledged by its answer, never by a clean close.
  beast::error_code ignored;
  transport().socket().shutdown(tcp::socket::shutdown_both, ignored);
  transport().close();
  stream_.emplace<std::monostate>();
}

void HttpUploadClient::Connect() {
  CloseStream();
  std::weak_ptr<int> alive = alive_;
  resolve_deadline_.expires_after(options_.connect_timeout);
  resolve_deadline_.async_wait([this, alive](const beast::error_code& error) {
    if (alive.expired() || error) return;
    resolver_.cancel();
  });
  resolver_.async_resolve(
      options_.host, std::to_string(options_.port),
      [this, alive](const beast::error_code& error, tcp::resolver::results_type results) {
        if (alive.expired()) return;
        resolve_deadline_.cancel();
        if (error) return Fail("resolve", error);
        if (tls_) {
          stream_.emplace<TlsStream>(io_, *tls_);
        } else {
          stream_.emplace<beast::tcp_stream>(io_);
        }
        ++connections_opened_;
        transport().expires_after(options_.connect_timeout);
        transport().async_connect(
            results, [this, alive](const beast::error_code& connect_error, const tcp::endpoint&) {
              if (alive.expired()) return;
              if (connect_error) return Fail("connect", connect_error);
              if (tls_) return Handshake();
              Write();
            });
      });
}

void HttpUploadClient::Handshake() {
  auto& tls = std::get<TlsStream>(stream_);
  SSL* ssl = tls.native_handle();
  // An IP literal is checked against the certificate's IP addresses and never sent as SNI
  // (RFC 6066 section 3); a name against its DNS names (no partial wildcards), and sent as SNI.
  boost::system::error_code not_ip;
  asio::ip::make_address(options_.host, not_ip);
  const bool named = static_cast<bool>(not_ip);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  const int set = named ? X509_VERIFY_PARAM_set1_host(param, options_.host.c_str(), 0)
                        : X509_VERIFY_PARAM_set1_ip_asc(param, options_.host.c_str());
  if (named) X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (set != 1 || (named && SSL_set_tlsext_host_name(ssl, options_.host.c_str()) != 1)) {
    return Finish(MakeError(ErrorCode::kPermission,
                            "upload: tls: cannot verify against host '" + options_.host + "'"));
  }
  std::weak_ptr<int> alive = alive_;
  transport().expires_after(options_.connect_timeout);
  tls.async_handshake(asio::ssl::stream_base::client, [this,
                                                       alive](const beast::error_code& error) {
    if (alive.expired()) return;
    if (!error) return Write();
    const std::string reason =
        error == beast::error::timeout
            ? std::string("handshake timed out")
            : exporters::TlsHandshakeFailure(std::get<TlsStream>(stream_).native_handle(), error);
    CloseStream();
    buffer_.clear();
    Finish(MakeError(ErrorCode::kPermission, "upload: tls handshake with " + options_.host + ":" +
                                                 std::to_string(options_.port) + ": " + reason));
  });
}

void HttpUploadClient::Write() {
  std::weak_ptr<int> alive = alive_;
  transport().expires_after(options_.write_timeout);
  auto written = [this, alive](const beast::error_code& error, std::size_t) {
    if (alive.expired()) return;
    if (error) return Fail("write", error);
    Read();
  };
  if (auto* tls = std::get_if<TlsStream>(&stream_)) {
    http::async_write(*tls, request_, std::move(written));
  } else {
    http::async_write(std::get<beast::tcp_stream>(stream_), request_, std::move(written));
  }
}

void HttpUploadClient::Read() {
  std::weak_ptr<int> alive = alive_;
  parser_.emplace();
  parser_->body_limit(options_.max_response_bytes);
  parser_->header_limit(16 * 1024);
  transport().expires_after(options_.read_timeout);
  // The header first: Beast 1.74's response parser does not hold a Content-Length against its
  // body limit (checked by hand here), only chunked bodies.
  auto header_read = [this, alive](const beast::error_code& error, std::size_t) {
    if (alive.expired()) return;
    if (error) return Fail("read", error);
    if (const auto length = parser_->content_length();
        length && *length > options_.max_response_bytes) {
      return Fail("read", http::error::body_limit);
    }
    ReadBody();
  };
  if (auto* tls = std::get_if<TlsStream>(&stream_)) {
    http::async_read_header(*tls, buffer_, *parser_, std::move(header_read));
  } else {
    http::async_read_header(std::get<beast::tcp_stream>(stream_), buffer_, *parser_,
                            std::move(header_read));
  }
}

void HttpUploadClient::ReadBody() {
  std::weak_ptr<int> alive = alive_;
  auto body_read = [this, alive](const beast::error_code& error, std::size_t) {
    if (alive.expired()) return;
    if (error) return Fail("read", error);
    auto& message = parser_->get();
    UploadResponse response;
    response.status = message.result_int();
    if (auto it = message.find(http::field::retry_after); it != message.end()) {
      response.retry_after = std::string(it->value());
    }
    response.body = std::move(message.body());
    if (!message.keep_alive()) CloseStream();
    Finish(std::move(response));
  };
  if (auto* tls = std::get_if<TlsStream>(&stream_)) {
    http::async_read(*tls, buffer_, *parser_, std::move(body_read));
  } else {
    http::async_read(std::get<beast::tcp_stream>(stream_), buffer_, *parser_, std::move(body_read));
  }
}

void HttpUploadClient::Fail(std::string_view step, const beast::error_code& error) {
  CloseStream();
  buffer_.clear();
  const bool stale_connection =
      reused_connection_ && (step == "write" || step == "read") && done_ &&
      (error == http::error::end_of_stream || error == asio::error::eof ||
       error == asio::error::connection_reset || error == asio::error::broken_pipe ||
       error == asio::ssl::error::stream_truncated);
  if (stale_connection) {
    reused_connection_ = false;
    Connect();
    return;
  }
  // Under TLS 1.3 a client certificate the collector refuses is reported after the client's side
  // of the handshake completed: as an alert on the first read. That is a TLS failure too.
  const bool tls_alert = error.category() == asio::error::get_ssl_category();
  Finish(MakeError(tls_alert ? ErrorCode::kPermission : ErrorCode::kUnavailable,
                   "upload: " + std::string(tls_alert ? "tls " : "") + std::string(step) + " " +
                       options_.host + ":" + std::to_string(options_.port) + ": " +
                       error.message()));
}

void HttpUploadClient::Finish(Result<UploadResponse> result) {
  if (!done_) return;
  Callback done = std::exchange(done_, nullptr);
  // A retry on a fresh connection resends the request, so the body is kept until now. Swapped
  // out, since `= {}` would clear it and keep its ~400 KB of capacity.
  std::vector<std::uint8_t>().swap(request_.body());
  done(std::move(result));
}

}  // namespace linkmon::upload
