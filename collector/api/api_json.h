#pragma once

// The JSON pieces the API endpoints share, so that a window, a threshold or a breach reads the
// same wherever it appears. Field names carry their unit (`rtt_p99_seconds`, `loss_ratio`,
// `throughput_bits_per_second`); a figure that cannot be known is null, never 0. docs/api.md
// documents every field.

#include <chrono>
#include <optional>

#include <nlohmann/json.hpp>

#include "collector/api/json_writer.h"
#include "collector/sla/breach_tracker.h"
#include "collector/sla/error_budget.h"
#include "collector/sla/threshold_judgement.h"
#include "collector/sla/tracked_path.h"
#include "collector/windows/window_stats.h"

namespace linkmon::api {

// Seconds as a JSON number, or null.
nlohmann::json SecondsOrNull(std::optional<std::chrono::nanoseconds> value);

// {"window":"5m","window_seconds":300,"minutes_with_data":..,"probes_sent":..,
//  "probes_received":..,"rtt_p50_seconds":..,"rtt_p95_seconds":..,"rtt_p99_seconds":..,
//  "loss_ratio":..,"jitter_seconds":..,"throughput_bits_per_second":..}
nlohmann::json WindowJson(const windows::WindowStats& stats);

// {"name":"rtt_p99","window":"1m","unit":"seconds","limit":..,"value":..,"margin":..,
//  "outcome":"met"}
nlohmann::json ThresholdJson(const sla::ThresholdResult& result);
// The same object written by `json`, for answers rendered with JsonWriter (/rank); the same
// fields in the same order (tests/collector/api/rank_endpoint_test.cpp compares the answers).
void WriteThreshold(JsonWriter& json, const sla::ThresholdResult& result);

// {"id","src","dst","method","sla_class","start","end"(null while open),"open",
//  "duration_seconds" (to `now` while open),"bad_minutes","thresholds_crossed":[{"name","window",
//  "unit","limit","worst_value","violated_minutes"}]}
nlohmann::json BreachJson(const sla::BreachEvent& event, SystemTime now);

// {"objective_ratio","period_seconds","good_minutes","bad_minutes","unknown_minutes",
//  "allowed_bad_minutes","remaining_ratio","burn_rate_1h","burn_rate_6h"}
nlohmann::json BudgetJson(const sla::ErrorBudget& budget);

}  // namespace linkmon::api
