#pragma once

// The collector's built-in page for operators without Grafana: the live latency matrix as a
// heatmap, one path's history and breaches on a click, the breach list. It is static HTML, CSS
// and JavaScript embedded in the binary (web_assets.h) that reads the JSON API (docs/api.md) from
// the same origin:
//   GET /               the page
//   GET /web/app.js     its script
//   GET /web/style.css  its style sheet
// Every answer carries Content-Security-Policy (default-src 'self': no inline or foreign script,
// style, image or connection), X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer and
// Cache-Control: no-cache (the page changes with the binary).

#include "exporters/http/http_router.h"

namespace linkmon::web {

void AddWebRoutes(exporters::HttpRouter& router);

}  // namespace linkmon::web
