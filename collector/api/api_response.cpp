#include "collector/api/api_response.h"

namespace linkmon::api {

namespace http = boost::beast::http;

exporters::HttpResponse JsonResponse(const nlohmann::json& body) {
  return exporters::MakeResponse(http::status::ok, kJsonContentType, body.dump());
}

exporters::HttpResponse BadRequest(std::string_view reason) {
  return exporters::MakeJsonError(http::status::bad_request, reason);
}

exporters::HttpResponse NotFound(std::string_view reason) {
  return exporters::MakeJsonError(http::status::not_found, reason);
}

exporters::HttpResponse CachedResponse(const exporters::HttpRequest& request,
                                       std::string_view content_type, const std::string& etag,
                                       std::shared_ptr<const std::string> body,
                                       int max_age_seconds) {
  const std::string cache_control = "max-age=" + std::to_string(max_age_seconds);
  auto if_none_match = request.message.find(http::field::if_none_match);
  if (if_none_match != request.message.end() &&
      std::string_view(if_none_match->value().data(), if_none_match->value().size()) == etag) {
    exporters::HttpResponse response =
        exporters::MakeResponse(http::status::not_modified, content_type, "");
    response.set(http::field::etag, etag);
    response.set(http::field::cache_control, cache_control);
    return response;
  }
  exporters::HttpResponse response = exporters::MakeResponse(http::status::ok, content_type, "");
  response.body().Share(std::move(body));
  response.prepare_payload();
  response.set(http::field::etag, etag);
  response.set(http::field::cache_control, cache_control);
  return response;
}

}  // namespace linkmon::api
