#pragma once

// A blocking HTTP/1.1 client for tests (Boost.Beast): one connection per request, a deadline on
// every step, never throws (a failure is status 0 with the error in `body`).

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <string>

namespace linkmon::testing {

struct HttpAnswer {
  unsigned status = 0;  // 0: no answer (connection refused, reset, timeout)
  std::string body;
};

inline HttpAnswer HttpExchange(const boost::asio::ip::tcp::endpoint& endpoint,
                               boost::beast::http::verb method, const std::string& target,
                               const std::map<std::string, std::string>& headers = {},
                               const std::string& body = "",
                               std::chrono::seconds timeout = std::chrono::seconds(10)) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.expires_after(timeout);
  stream.connect(endpoint, ec);
  if (ec) return {0, "connect: " + ec.message()};
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, endpoint.address().to_string());
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request, ec);
  if (ec) return {0, "write: " + ec.message()};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec) return {0, "read: " + ec.message()};
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return {parser.get().result_int(), parser.get().body()};
}

inline HttpAnswer HttpGet(const boost::asio::ip::tcp::endpoint& endpoint,
                          const std::string& target) {
  return HttpExchange(endpoint, boost::beast::http::verb::get, target);
}

}  // namespace linkmon::testing
