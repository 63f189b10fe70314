#pragma once

// Responses of the scheduler API: JSON bodies, 400 for bad parameters, 404 for unknown sites,
// targets or classes, each refusal with its reason as {"error": "..."}.

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "exporters/http/http_types.h"

namespace linkmon::api {

inline constexpr std::string_view kJsonContentType = "application/json";

exporters::HttpResponse JsonResponse(const nlohmann::json& body);
exporters::HttpResponse BadRequest(std::string_view reason);
exporters::HttpResponse NotFound(std::string_view reason);

// A cacheable body, sent without a copy (it is shared with the cache): ETag and Cache-Control
// max-age; 304 without a body when the request's If-None-Match names the same tag.
exporters::HttpResponse CachedResponse(const exporters::HttpRequest& request,
                                       std::string_view content_type, const std::string& etag,
                                       std::shared_ptr<const std::string> body,
                                       int max_age_seconds);

}  // namespace linkmon::api
