#pragma once

// The scheduler API's routes on the daemon's HttpRouter:
//   GET /api/v1/matrix, /api/v1/paths/{src}/{dst}, /api/v1/rank, /api/v1/breaches
// (docs/api.md). The endpoints read `states`, which must outlive the router's server; they run on
// the server's io_context thread, like every other user of PathStates.

#include <functional>

#include "collector/sla/path_states.h"
#include "collector/sla/sla_history.h"
#include "collector/store/summary_store.h"
#include "exporters/http/http_router.h"

namespace linkmon::api {

// Whether `states` may be read now. The daemon rebuilds PathStates from its store on another
// thread at start-up; until then every endpoint answers 503 without touching it.
using ServingCheck = std::function<bool()>;

// Renders the cached /matrix and /rank answers clients asked for in the last seconds again for the
// clock's present second and PathStates' present version (answer_cache.h), so that the requests
// of a new second find them ready rather than the first one paying the render. Call it on the
// io_context thread right after each second of the clock begins and after minutes closed (the
// collector's MinuteTicker does both). Does nothing while `serving` says no. Returns how many
// answers it rendered.
using AnswerRefresh = std::function<std::size_t()>;

// `archive` (may be null: memory only) answers for closed breaches PathStates no longer holds,
// `store` (may be null) for the figures of minutes older than the longest window; both must
// outlive the router's server too.
AnswerRefresh AddApiRoutes(
    exporters::HttpRouter& router, const sla::PathStates& states,
    ServingCheck serving = [] { return true; }, sla::BreachArchive* archive = nullptr,
    store::SummaryStore* store = nullptr);

}  // namespace linkmon::api
