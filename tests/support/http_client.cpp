#include "tests/support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace linkmon::testing {

namespace {

// One request and its answer over a connected `stream` (plain or TLS).
template <typename Stream>
HttpAnswer ExchangeOver(Stream& stream, const std::string& host, const HttpRequestParts& parts) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  beast::error_code ec;
  http::request<http::string_body> request{parts.method, parts.target, 11};
  request.set(http::field::host, host);
  for (const auto& [name, value] : parts.headers) request.set(name, value);
  request.body() = parts.body;
  request.prepare_payload();
  http::write(stream, request, ec);
  if (ec) return {0, "write: " + ec.message()};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec) return {0, "read: " + ec.message()};
  return {parser.get().result_int(), parser.get().body()};
}

}  // namespace

HttpAnswer HttpExchange(const boost::asio::ip::tcp::endpoint& endpoint,
                        boost::beast::http::verb method, const std::string& target,
                        const std::map<std::string, std::string>& headers, const std::string& body,
                        std::chrono::seconds timeout) {
  namespace beast = boost::beast;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.expires_after(timeout);
  stream.connect(endpoint, ec);
  if (ec) return {0, "connect: " + ec.message()};
  HttpAnswer answer =
      ExchangeOver(stream, endpoint.address().to_string(), {method, target, headers, body});
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return answer;
}

HttpAnswer HttpGet(const boost::asio::ip::tcp::endpoint& endpoint, const std::string& target) {
  return HttpExchange(endpoint, boost::beast::http::verb::get, target);
}

HttpAnswer HttpsExchange(const boost::asio::ip::tcp::endpoint& endpoint,
                         const TlsClientSettings& tls, const HttpRequestParts& parts,
                         std::chrono::seconds timeout) {
  namespace beast = boost::beast;
  namespace ssl = boost::asio::ssl;
  boost::asio::io_context io;
  ssl::context context(ssl::context::tls_client);
  beast::error_code ec;
  context.load_verify_file(tls.ca_file, ec);
  if (ec) return {0, "ca_file: " + ec.message()};
  if (!tls.certificate_file.empty()) {
    context.use_certificate_chain_file(tls.certificate_file, ec);
    if (!ec) context.use_private_key_file(tls.key_file, ssl::context::pem, ec);
    if (ec) return {0, "client certificate: " + ec.message()};
  }
  context.set_verify_mode(ssl::verify_peer);
  const std::string host = tls.host.empty() ? endpoint.address().to_string() : tls.host;
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  stream.set_verify_callback(ssl::host_name_verification(host));
  beast::get_lowest_layer(stream).expires_after(timeout);
  beast::get_lowest_layer(stream).connect(endpoint, ec);
  if (ec) return {0, "connect: " + ec.message()};
  stream.handshake(ssl::stream_base::client, ec);
  if (ec) return {0, "handshake: " + ec.message()};
  HttpAnswer answer = ExchangeOver(stream, host, parts);
  beast::get_lowest_layer(stream).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both,
                                                    ec);
  return answer;
}

}  // namespace linkmon::testing
