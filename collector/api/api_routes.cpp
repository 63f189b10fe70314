#include "collector/api/api_routes.h"

#include <memory>

#include "collector/api/breaches_endpoint.h"
#include "collector/api/matrix_endpoint.h"
#include "collector/api/path_endpoint.h"
#include "collector/api/rank_endpoint.h"

namespace linkmon::api {

void AddApiRoutes(exporters::HttpRouter& router, const sla::PathStates& states) {
  using boost::beast::http::verb;
  // Endpoints with caches are shared by the copies std::function makes of the handler.
  auto matrix = std::make_shared<MatrixEndpoint>(states);
  auto rank = std::make_shared<RankEndpoint>(states);
  auto path = std::make_shared<PathEndpoint>(states);
  auto breaches = std::make_shared<BreachesEndpoint>(states);
  router.AddExact(verb::get, "/api/v1/matrix", "api_matrix",
                  [matrix](const exporters::HttpRequest& request) {
                    return matrix->Handle(request);
                  });
  router.AddExact(verb::get, "/api/v1/rank", "api_rank",
                  [rank](const exporters::HttpRequest& request) { return rank->Handle(request); });
  router.AddPrefix(verb::get, "/api/v1/paths/", "api_paths",
                   [path](const exporters::HttpRequest& request) { return path->Handle(request); });
  router.AddExact(verb::get, "/api/v1/breaches", "api_breaches",
                  [breaches](const exporters::HttpRequest& request) {
                    return breaches->Handle(request);
                  });
}

}  // namespace linkmon::api
