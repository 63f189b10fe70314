#pragma once

// Mounts IngestService on a daemon's router: POST /api/v1/ingest (route label "ingest").
// `service` must outlive the router and the server that serves it.

#include "collector/ingest/ingest_service.h"
#include "exporters/http/http_router.h"

namespace linkmon::ingest {

inline constexpr std::string_view kIngestPath = "/api/v1/ingest";

void AddIngestRoute(exporters::HttpRouter& router, IngestService& service);

}  // namespace linkmon::ingest
