#include "collector/ingest/ingest_route.h"

namespace linkmon::ingest {

void AddIngestRoute(exporters::HttpRouter& router, IngestService& service) {
  router.AddExactDeferred(
      boost::beast::http::verb::post, std::string(kIngestPath), "ingest",
      [&service](const exporters::HttpRequest& request, exporters::HttpResponder respond) {
        service.Handle(request, std::move(respond));
      });
}

}  // namespace linkmon::ingest
