#include "collector/api/api_routes.h"

#include <memory>

#include "collector/api/breaches_endpoint.h"
#include "collector/api/matrix_endpoint.h"
#include "collector/api/path_endpoint.h"
#include "collector/api/rank_endpoint.h"

namespace linkmon::api {

namespace {

exporters::HttpResponse NotServingYet() {
  exporters::HttpResponse response =
      exporters::MakeJsonError(boost::beast::http::status::service_unavailable,
                               "the collector is rebuilding its state from its store; retry");
  response.set(boost::beast::http::field::retry_after, "1");
  return response;
}

}  // namespace

AnswerRefresh AddApiRoutes(exporters::HttpRouter& router, const sla::PathStates& states,
                           ServingCheck serving, sla::BreachArchive* archive,
                           store::SummaryStore* store) {
  using boost::beast::http::verb;
  // Endpoints with caches are shared by the copies std::function makes of the handler.
  auto matrix = std::make_shared<MatrixEndpoint>(states);
  auto rank = std::make_shared<RankEndpoint>(states);
  auto path = std::make_shared<PathEndpoint>(states, archive, store);
  auto breaches = std::make_shared<BreachesEndpoint>(states, archive);
  auto gated = [serving](auto endpoint) {
    return [serving, endpoint](const exporters::HttpRequest& request) {
      if (!serving()) return NotServingYet();
      return endpoint->Handle(request);
    };
  };
  router.AddExact(verb::get, "/api/v1/matrix", "api_matrix", gated(matrix));
  router.AddExact(verb::get, "/api/v1/rank", "api_rank", gated(rank));
  router.AddPrefix(verb::get, "/api/v1/paths/", "api_paths", gated(path));
  router.AddExact(verb::get, "/api/v1/breaches", "api_breaches", gated(breaches));
  return [serving, matrix, rank]() -> std::size_t {
    if (!serving()) return 0;
    return matrix->Refresh() + rank->Refresh();
  };
}

}  // namespace linkmon::api
