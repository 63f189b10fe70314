#pragma once

// The scheduler API's routes on the daemon's HttpRouter:
//   GET /api/v1/matrix, /api/v1/paths/{src}/{dst}, /api/v1/rank, /api/v1/breaches
// (docs/api.md). The endpoints read `states`, which must outlive the router's server; they run on
// the server's io_context thread, like every other user of PathStates.

#include "collector/sla/path_states.h"
#include "exporters/http/http_router.h"

namespace linkmon::api {

void AddApiRoutes(exporters::HttpRouter& router, const sla::PathStates& states);

}  // namespace linkmon::api
