#include "collector/api/api_json.h"

#include "collector/api/query_params.h"

namespace linkmon::api {

namespace {

using nlohmann::json;

template <typename T>
json OrNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

double Seconds(std::chrono::nanoseconds value) {
  return std::chrono::duration<double>(value).count();
}

}  // namespace

json SecondsOrNull(std::optional<std::chrono::nanoseconds> value) {
  return value ? json(Seconds(*value)) : json(nullptr);
}

json WindowJson(const windows::WindowStats& stats) {
  return json{
      {"window", windows::WindowName(stats.window)},
      {"window_seconds", std::chrono::duration_cast<std::chrono::seconds>(stats.window).count()},
      {"minutes_with_data", stats.minutes_with_data},
      {"probes_sent", stats.counts.sent},
      {"probes_received", stats.counts.received},
      {"rtt_p50_seconds", SecondsOrNull(stats.rtt_p50)},
      {"rtt_p95_seconds", SecondsOrNull(stats.rtt_p95)},
      {"rtt_p99_seconds", SecondsOrNull(stats.rtt_p99)},
      {"loss_ratio", stats.loss ? json(stats.loss->value) : json(nullptr)},
      {"jitter_seconds", SecondsOrNull(stats.jitter)},
      {"throughput_bits_per_second",
       stats.throughput ? json(stats.throughput->bits_per_second) : json(nullptr)},
  };
}

json ThresholdJson(const sla::ThresholdResult& result) {
  return json{
      {"name", sla::ThresholdKindName(result.kind)},
      {"window", windows::WindowName(result.window)},
      {"unit", sla::ThresholdUnit(result.kind)},
      {"limit", result.limit},
      {"value", OrNull(result.value)},
      {"margin", OrNull(result.margin)},
      {"outcome", sla::ThresholdOutcomeName(result.outcome)},
  };
}

void WriteThreshold(JsonWriter& json, const sla::ThresholdResult& result) {
  json.Raw(R"({"name":)");
  json.String(sla::ThresholdKindName(result.kind));
  json.Raw(R"(,"window":)");
  json.String(windows::WindowName(result.window));
  json.Raw(R"(,"unit":)");
  json.String(sla::ThresholdUnit(result.kind));
  json.Raw(R"(,"limit":)");
  json.Number(result.limit);
  json.Raw(R"(,"value":)");
  json.Number(result.value);
  json.Raw(R"(,"margin":)");
  json.Number(result.margin);
  json.Raw(R"(,"outcome":)");
  json.String(sla::ThresholdOutcomeName(result.outcome));
  json.Raw("}");
}

json BreachJson(const sla::BreachEvent& event, SystemTime now) {
  json crossed = json::array();
  for (const auto& threshold : event.crossed) {
    crossed.push_back(json{
        {"name", sla::ThresholdKindName(threshold.kind)},
        {"window", windows::WindowName(threshold.window)},
        {"unit", sla::ThresholdUnit(threshold.kind)},
        {"limit", threshold.limit},
        {"worst_value", OrNull(threshold.worst_value)},
        {"violated_minutes", threshold.violated_minutes},
    });
  }
  const SystemTime end = event.end.value_or(now);
  return json{
      {"id", event.id},
      {"src", event.path.source.str()},
      {"dst", event.path.target.str()},
      {"method", MethodName(event.path.method)},
      {"sla_class", event.sla_class.str()},
      {"start", FormatTime(event.start)},
      {"end", event.end ? json(FormatTime(*event.end)) : json(nullptr)},
      {"open", !event.end.has_value()},
      {"duration_seconds",
       std::max<std::int64_t>(
           0, std::chrono::duration_cast<std::chrono::seconds>(end - event.start).count())},
      {"bad_minutes", event.bad_minutes},
      {"thresholds_crossed", std::move(crossed)},
  };
}

json BudgetJson(const sla::ErrorBudget& budget) {
  const sla::BudgetStatus status = budget.Status();
  return json{
      {"objective_ratio", budget.slo().objective.value},
      {"period_seconds",
       std::chrono::duration_cast<std::chrono::seconds>(budget.slo().period).count()},
      {"good_minutes", status.in_period.good},
      {"bad_minutes", status.in_period.bad},
      {"unknown_minutes", status.in_period.unknown},
      {"allowed_bad_minutes", status.allowed_bad_minutes},
      {"remaining_ratio", status.remaining_ratio},
      {"burn_rate_1h", OrNull(status.burn_rate_1h)},
      {"burn_rate_6h", OrNull(status.burn_rate_6h)},
  };
}

}  // namespace linkmon::api
