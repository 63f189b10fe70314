#pragma once

// Calls an endpoint's handler as the HTTP server would, without a socket: for endpoint tests
// (api_server_test.cpp goes through the real server).

#include <string>

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include "exporters/http/http_types.h"

namespace linkmon::testing {

struct EndpointReply {
  unsigned status = 0;
  std::string content_type;
  std::string etag;
  std::string cache_control;
  std::string body;
  nlohmann::json Json() const { return nlohmann::json::parse(body); }
};

template <typename Endpoint>
EndpointReply Call(Endpoint& endpoint, const std::string& target,
                   const std::string& if_none_match = "", const std::string& accept = "") {
  namespace http = boost::beast::http;
  exporters::HttpMessage message{http::verb::get, target, 11};
  if (!if_none_match.empty()) message.set(http::field::if_none_match, if_none_match);
  if (!accept.empty()) message.set(http::field::accept, accept);
  const std::string_view whole(message.target().data(), message.target().size());
  const std::size_t question = whole.find('?');
  exporters::HttpRequest request{
      message,
      {},
      whole.substr(0, question),
      question == std::string_view::npos ? std::string_view() : whole.substr(question + 1)};
  exporters::HttpResponse response = endpoint.Handle(request);
  auto header = [&](http::field field) {
    auto it = response.find(field);
    return it == response.end() ? std::string()
                                : std::string(it->value().data(), it->value().size());
  };
  return EndpointReply{response.result_int(), header(http::field::content_type),
                       header(http::field::etag), header(http::field::cache_control),
                       std::string(response.body().view())};
}

}  // namespace linkmon::testing
