#pragma once

// Renders metrics in the Prometheus text exposition format (version 0.0.4) for a /metrics
// endpoint served by the daemon's own HTTP server. Sources are prometheus-cpp Collectables that are
// read at scrape time: a registry of the daemon's own counters, and collectors that build path
// metrics from live state when asked (STYLE.md: no thousands of gauges updated on every packet).

#include <memory>
#include <string>
#include <vector>

#include <prometheus/collectable.h>

namespace linkmon::exporters {

// The Content-Type a /metrics response carries with RenderTextExposition's body.
inline constexpr const char* kTextExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

// Collects every source now and serializes the families in the text format. Sources that have
// been destroyed are skipped. Thread-safety: as safe as the sources' Collect().
std::string RenderTextExposition(const std::vector<std::weak_ptr<prometheus::Collectable>>& sources);

}  // namespace linkmon::exporters
