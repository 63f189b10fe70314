#include "collector/web/web_routes.h"

#include <string>

#include "collector/web/web_assets.h"
#include "exporters/http/http_types.h"

namespace linkmon::web {
namespace {

namespace http = boost::beast::http;

// 'self' only; frame-ancestors and base-uri do not fall back to default-src, so they are named.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

exporters::HttpResponse AssetResponse(const WebAsset& asset) {
  exporters::HttpResponse response =
      exporters::MakeResponse(http::status::ok, asset.content_type, std::string(asset.body));
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set(http::field::cache_control, "no-cache");
  return response;
}

}  // namespace

void AddWebRoutes(exporters::HttpRouter& router) {
  for (const WebAsset& asset : WebAssets()) {
    router.AddExact(http::verb::get, std::string(asset.path),
                    asset.path == "/" ? "web_page" : "web_asset",
                    [&asset](const exporters::HttpRequest&) { return AssetResponse(asset); });
  }
}

}  // namespace linkmon::web
