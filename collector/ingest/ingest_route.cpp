#include "collector/ingest/ingest_route.h"

namespace linkmon::ingest {

void AddIngestRoute(exporters::HttpRouter& router, IngestService& service) {
  router.AddExact(
      boost::beast::http::verb::post, std::string(kIngestPath), "ingest",
      [&service](const exporters::HttpRequest& request) { return service.Handle(request); });
}

}  // namespace linkmon::ingest
