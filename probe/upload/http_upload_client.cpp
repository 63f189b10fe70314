#include "probe/upload/http_upload_client.h"

#include <utility>

#include <boost/asio/post.hpp>
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
  if (options.tls) {
    return MakeError(ErrorCode::kUnsupported,
                     "upload client: https collector URLs are not supported by this build yet");
  }
  return std::unique_ptr<HttpUploadClient>(new HttpUploadClient(io, std::move(options)));
}

HttpUploadClient::HttpUploadClient(asio::io_context& io, HttpUploadClientOptions options)
    : io_(io), options_(std::move(options)), resolver_(io), resolve_deadline_(io) {}

HttpUploadClient::~HttpUploadClient() {
  alive_.reset();
  resolver_.cancel();
  resolve_deadline_.cancel();
  CloseStream();
}

void HttpUploadClient::Post(std::span<const std::uint8_t> body, Callback done) {
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
  request_.body().assign(body.begin(), body.end());
  request_.prepare_payload();

  if (stream_) {
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

void HttpUploadClient::CloseStream() {
  if (!stream_) return;
  beast::error_code ignored;
  stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_->close();
  stream_.reset();
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
        stream_.emplace(io_);
        ++connections_opened_;
        stream_->expires_after(options_.connect_timeout);
        stream_->async_connect(
            results, [this, alive](const beast::error_code& connect_error, const tcp::endpoint&) {
              if (alive.expired()) return;
              if (connect_error) return Fail("connect", connect_error);
              Write();
            });
      });
}

void HttpUploadClient::Write() {
  std::weak_ptr<int> alive = alive_;
  stream_->expires_after(options_.write_timeout);
  http::async_write(*stream_, request_, [this, alive](const beast::error_code& error, std::size_t) {
    if (alive.expired()) return;
    if (error) return Fail("write", error);
    Read();
  });
}

void HttpUploadClient::Read() {
  std::weak_ptr<int> alive = alive_;
  parser_.emplace();
  parser_->body_limit(options_.max_response_bytes);
  parser_->header_limit(16 * 1024);
  stream_->expires_after(options_.read_timeout);
  // The header first: Beast 1.74's response parser does not hold a Content-Length against its
  // body limit (checked by hand here), only chunked bodies.
  http::async_read_header(*stream_, buffer_, *parser_,
                          [this, alive](const beast::error_code& error, std::size_t) {
                            if (alive.expired()) return;
                            if (error) return Fail("read", error);
                            if (const auto length = parser_->content_length();
                                length && *length > options_.max_response_bytes) {
                              return Fail("read", http::error::body_limit);
                            }
                            ReadBody();
                          });
}

void HttpUploadClient::ReadBody() {
  std::weak_ptr<int> alive = alive_;
  http::async_read(*stream_, buffer_, *parser_,
                   [this, alive](const beast::error_code& error, std::size_t) {
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
                   });
}

void HttpUploadClient::Fail(std::string_view step, const beast::error_code& error) {
  CloseStream();
  buffer_.clear();
  const bool stale_connection =
      reused_connection_ && (step == "write" || step == "read") && done_ &&
      (error == http::error::end_of_stream || error == asio::error::eof ||
       error == asio::error::connection_reset || error == asio::error::broken_pipe);
  if (stale_connection) {
    reused_connection_ = false;
    Connect();
    return;
  }
  Finish(MakeError(ErrorCode::kUnavailable, "upload: " + std::string(step) + " " + options_.host +
                                                ":" + std::to_string(options_.port) + ": " +
                                                error.message()));
}

void HttpUploadClient::Finish(Result<UploadResponse> result) {
  if (!done_) return;
  Callback done = std::exchange(done_, nullptr);
  done(std::move(result));
}

}  // namespace linkmon::upload
