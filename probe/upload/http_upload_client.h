#pragma once

// POSTs one encoded batch at a time to the collector's ingest endpoint over HTTP/1.1 (Boost.Beast
// on the probe's io_context; no thread per request). The connection is kept alive between
// batches; a batch sent on a reused connection that the collector closed meanwhile (idle timeout)
// is sent once more on a fresh connection at once, since such a failure says nothing about the
// collector's health. Batches carry (probe id, sequence), so a batch delivered twice is applied
// once by the collector.
//
// Every step has a deadline: resolve and connect, write, read. The response body is bounded.
// A failure to get any HTTP answer is an Error (kUnavailable) naming the step; an HTTP answer of
// any status is a value, for the caller to judge (upload_verdict.h).
//
// The bearer token goes in every request's Authorization header; the collector binds it to the
// probe id, so a batch whose id does not match its credential gets 403.
//
// HTTPS (options.tls set): the collector's chain must verify against the configured CA file (or
// the system store), and its certificate must name `host` (a DNS name is checked against the
// certificate's DNS names and sent as SNI; an IP literal against its IP addresses). A client
// certificate is presented when configured (mutual TLS). A handshake or verification failure is
// an Error with code kPermission (the only failure of this client with that code) and OpenSSL's
// reason ("certificate has expired", "hostname mismatch"): it says nothing good about the
// collector, so it is never retried at once like a stale keep-alive connection; the uploader
// counts it and backs off (batch_uploader.h). Network failures are kUnavailable.
//
// Thread-safety: not thread-safe; use it from the io_context's thread. One request at a time.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/vector_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <variant>

#include "common/result.h"
#include "exporters/http/tls_context.h"

namespace linkmon::upload {

struct HttpUploadClientOptions {
  std::string host = {};  // a DNS name or an IP literal (IPv6 without brackets)
  std::uint16_t port = 80;
  std::string target = "/api/v1/ingest";  // request path
  std::string bearer_token = {};          // empty: no Authorization header
  std::string content_type = "application/json";
  // Set: https, verified with these files (exporters/http/tls_context.h). Absent: plain http.
  std::optional<exporters::TlsClientFiles> tls = std::nullopt;
  // Resolve + connect + TLS handshake.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(5);
  std::chrono::milliseconds write_timeout = std::chrono::seconds(10);
  std::chrono::milliseconds read_timeout = std::chrono::seconds(30);  // until the whole answer
  std::size_t max_response_bytes = 64 * 1024;
};

struct UploadResponse {
  unsigned status = 0;
  std::string retry_after;  // the Retry-After header, empty when absent
  std::string body;         // for the log when the collector refuses
};

class HttpUploadClient {
 public:
  using Callback = std::function<void(Result<UploadResponse>)>;

  // Refuses an empty host or target; with TLS, the errors of MakeTlsClientContext (a CA or client
  // certificate file that cannot be read or parsed).
  static Result<std::unique_ptr<HttpUploadClient>> Create(boost::asio::io_context& io,
                                                          HttpUploadClientOptions options);
  ~HttpUploadClient();
  HttpUploadClient(const HttpUploadClient&) = delete;
  HttpUploadClient& operator=(const HttpUploadClient&) = delete;

  // Sends `body`; `done` runs once on the io_context with the answer or the error. Must not be
  // called while a request is in flight (busy()). After the client is destroyed, `done` is never
  // called. The body is moved in, not copied (a batch of 1,000 paths is ~400 KB), and let go of
  // once the answer is in: the uploader reads a batch from its spool for every attempt.
  void Post(std::vector<std::uint8_t> body, Callback done);

  // Closes the connection; a request in flight completes with an error.
  void Close();

  bool busy() const { return static_cast<bool>(done_); }
  // Connections opened so far: with keep-alive, far fewer than requests.
  std::uint64_t connections_opened() const { return connections_opened_; }

 private:
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  HttpUploadClient(boost::asio::io_context& io, HttpUploadClientOptions options,
                   exporters::TlsContext tls);

  bool connected() const { return !std::holds_alternative<std::monostate>(stream_); }
  boost::beast::tcp_stream& transport();
  void Connect();
  // Over TLS: SNI, the name to verify, the handshake; then Write().
  void Handshake();
  void Write();
  void Read();
  void ReadBody();
  // A network failure at `step`; retries once on a fresh connection when the old one was reused.
  void Fail(std::string_view step, const boost::system::error_code& error);
  void Finish(Result<UploadResponse> result);
  void CloseStream();

  boost::asio::io_context& io_;
  HttpUploadClientOptions options_;
  exporters::TlsContext tls_;  // null: plain http
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer resolve_deadline_;
  // monostate while not connected.
  std::variant<std::monostate, boost::beast::tcp_stream, TlsStream> stream_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::request<boost::beast::http::vector_body<std::uint8_t>> request_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
  Callback done_;
  bool reused_connection_ = false;  // the request in flight went over a kept-alive connection
  std::uint64_t connections_opened_ = 0;
  // Handlers hold a weak_ptr to this and return at once when the client is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace linkmon::upload
