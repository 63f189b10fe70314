#pragma once

// The routes every linkmon daemon serves: /metrics for Prometheus, /-/healthy (the process
// answers) and /-/ready (it can do its job: config loaded, store open, ...), named as Prometheus
// itself names them.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/collectable.h>

#include "exporters/http/http_router.h"

namespace linkmon::exporters {

// GET /metrics: the text exposition of `sources`, collected at scrape time.
void AddMetricsRoute(HttpRouter& router,
                     std::vector<std::weak_ptr<prometheus::Collectable>> sources);

// Returns an empty string when ready, or the reason it is not ("store not open").
using ReadinessCheck = std::function<std::string()>;

// GET /-/healthy: always 200 while the event loop runs. GET /-/ready: 200, or 503 with the reason.
void AddHealthRoutes(HttpRouter& router, ReadinessCheck readiness);

}  // namespace linkmon::exporters
