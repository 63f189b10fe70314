#include "exporters/http/standard_routes.h"

#include "exporters/prometheus/text_exposition.h"

namespace linkmon::exporters {

namespace http = boost::beast::http;

void AddMetricsRoute(HttpRouter& router,
                     std::vector<std::weak_ptr<prometheus::Collectable>> sources) {
  router.AddExact(http::verb::get, "/metrics", "metrics",
                  [sources = std::move(sources)](const HttpRequest&) {
                    return MakeResponse(http::status::ok, kTextExpositionContentType,
                                        RenderTextExposition(sources));
                  });
}

void AddHealthRoutes(HttpRouter& router, ReadinessCheck readiness) {
  for (auto method : {http::verb::get, http::verb::head}) {
    router.AddExact(method, "/-/healthy", "healthy", [](const HttpRequest&) {
      return MakeResponse(http::status::ok, "text/plain", "healthy\n");
    });
    router.AddExact(method, "/-/ready", "ready", [readiness](const HttpRequest&) {
      std::string reason = readiness ? readiness() : std::string();
      if (!reason.empty()) {
        return MakeResponse(http::status::service_unavailable, "text/plain",
                            "not ready: " + reason + "\n");
      }
      return MakeResponse(http::status::ok, "text/plain", "ready\n");
    });
  }
}

}  // namespace linkmon::exporters
