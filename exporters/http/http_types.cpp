#include "exporters/http/http_types.h"

#include <nlohmann/json.hpp>

namespace linkmon::exporters {

namespace http = boost::beast::http;

HttpResponse MakeResponse(http::status status, std::string_view content_type, std::string body) {
  HttpResponse response{status, 11};
  response.set(http::field::server, "linkmon");
  response.set(http::field::content_type,
               boost::beast::string_view(content_type.data(), content_type.size()));
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

HttpResponse MakeJsonError(http::status status, std::string_view message) {
  nlohmann::json body = {{"error", message}};
  // replace: a message quoting hostile input must not make dump() throw on invalid UTF-8.
  return MakeResponse(status, "application/json",
                      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace linkmon::exporters
