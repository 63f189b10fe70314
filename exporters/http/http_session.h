#pragma once

// One client connection of HttpServer: over TLS, the handshake first (with its own deadline);
// then read a header (with its deadline and size limit), refuse an oversized body before reading
// it, read the body (with its own deadline), route, answer, and go round again while the client
// keeps the connection alive. A deferred route (http_types.h) answers later: the session waits,
// reading nothing, until its responder posts the answer back to the io_context; closing the
// session meanwhile drops that answer. Internal to exporters/http.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "exporters/http/http_types.h"
#include "exporters/http/tls_context.h"

namespace linkmon::exporters {

class HttpServer;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `tls` null: plain HTTP. The session keeps the context alive as long as it needs it.
  HttpSession(HttpServer& server, boost::asio::ip::tcp::socket socket,
              boost::asio::ip::address client, TlsContext tls);

  void Run();
  // Closes the socket; pending operations complete with an error and the session ends.
  void Close();

 private:
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  boost::beast::tcp_stream& transport();
  void OnHandshake(boost::beast::error_code ec);
  void ReadHeader(std::chrono::milliseconds timeout);
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  // Ends the session, answering 4xx where the client deserves to know why.
  void OnReadError(boost::beast::error_code ec);
  void Dispatch();
  // Sends a handler's answer to the current request (either kind of handler).
  void Answer(HttpResponse response, std::chrono::steady_clock::time_point started);
  // A deferred handler's answer, back on the io_context thread.
  void OnDeferredAnswer(HttpResponse response);
  // Sends `response`; closes afterwards when `close_after` or the client asked to.
  void Send(HttpResponse response, bool close_after);
  void OnSent(boost::beast::error_code ec, bool close_after);
  void Refuse(boost::beast::http::status status, std::string_view message);
  // The end of a connection the server closes: TLS says close_notify first (bounded by the write
  // timeout), so that the client can tell the end of the answer from a cut connection.
  void CloseAfterAnswer();
  void Finish();

  HttpServer& server_;
  TlsContext tls_context_;  // null for plain HTTP
  std::variant<boost::beast::tcp_stream, TlsStream> stream_;
  boost::asio::ip::address client_;
  std::vector<std::string> client_certificate_names_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<HttpResponse> response_;
  std::optional<boost::beast::http::response<boost::beast::http::empty_body>> continue_;
  // A deferred handler has the current request; since when, and the route's metric label.
  bool awaiting_answer_ = false;
  std::chrono::steady_clock::time_point answer_started_;
  std::string_view answer_route_;
  bool finished_ = false;
};

}  // namespace linkmon::exporters
