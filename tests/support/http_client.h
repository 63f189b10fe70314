#pragma once

// A blocking HTTP/1.1 client for tests (Boost.Beast): one connection per request, a deadline on
// every step, never throws (a failure is status 0 with the error in `body`). HttpsExchange speaks
// TLS, verifying the server against a CA file and a host name, with an optional client
// certificate. The Beast code is in http_client.cpp: compiled once for every test that calls it,
// not again in each.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <map>
#include <string>

namespace linkmon::testing {

struct HttpAnswer {
  unsigned status = 0;  // 0: no answer (connection refused, reset, timeout, failed handshake)
  std::string body;
};

struct HttpRequestParts {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target = "/";
  std::map<std::string, std::string> headers = {};
  std::string body = "";
};

HttpAnswer HttpExchange(const boost::asio::ip::tcp::endpoint& endpoint,
                        boost::beast::http::verb method, const std::string& target,
                        const std::map<std::string, std::string>& headers = {},
                        const std::string& body = "",
                        std::chrono::seconds timeout = std::chrono::seconds(10));

HttpAnswer HttpGet(const boost::asio::ip::tcp::endpoint& endpoint, const std::string& target);

struct TlsClientSettings {
  std::string ca_file = {};           // trust anchor for the server's chain
  std::string host = {};              // verified against the server certificate; empty: the address
  std::string certificate_file = {};  // optional client certificate (mutual TLS)
  std::string key_file = {};
};

HttpAnswer HttpsExchange(const boost::asio::ip::tcp::endpoint& endpoint,
                         const TlsClientSettings& tls, const HttpRequestParts& parts,
                         std::chrono::seconds timeout = std::chrono::seconds(10));

}  // namespace linkmon::testing
