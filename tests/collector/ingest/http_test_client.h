#pragma once

// The ingest tests' HTTP calls, on the shared blocking test client (tests/support/http_client.h).

#include <chrono>
#include <map>
#include <string>

#include "tests/support/http_client.h"

namespace linkmon::ingest::testing {

using ClientResponse = linkmon::testing::HttpAnswer;

inline ClientResponse HttpRequestTo(const boost::asio::ip::tcp::endpoint& endpoint,
                                    boost::beast::http::verb method, const std::string& target,
                                    const std::map<std::string, std::string>& headers,
                                    const std::string& body,
                                    std::chrono::seconds timeout = std::chrono::seconds(10)) {
  return linkmon::testing::HttpExchange(endpoint, method, target, headers, body, timeout);
}

inline ClientResponse PostBatch(const boost::asio::ip::tcp::endpoint& endpoint,
                                const std::string& token, const std::string& body,
                                std::map<std::string, std::string> headers = {}) {
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  headers.emplace("Content-Type", "application/json");
  return HttpRequestTo(endpoint, boost::beast::http::verb::post, "/api/v1/ingest", headers, body);
}

}  // namespace linkmon::ingest::testing
