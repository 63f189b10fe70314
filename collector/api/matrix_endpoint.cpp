#include "collector/api/matrix_endpoint.h"

#include <array>

#include "collector/api/api_json.h"
#include "collector/api/api_response.h"
#include "collector/api/query_params.h"

namespace linkmon::api {

namespace {

using nlohmann::json;

// The index of the window named `name` ("5m") among the configured ones.
std::optional<std::size_t> FindWindow(const sla::PathStates& states, std::string_view name) {
  const auto& windows = states.options().windows;
  for (std::size_t i = 0; i < windows.size(); ++i) {
    if (windows::WindowName(windows[i]) == name) return i;
  }
  return std::nullopt;
}

std::string WindowNames(const sla::PathStates& states) {
  std::string names;
  for (auto window : states.options().windows) {
    names += (names.empty() ? "" : ", ") + windows::WindowName(window);
  }
  return names;
}

}  // namespace

MatrixEndpoint::MatrixEndpoint(const sla::PathStates& states)
    : states_(states), cache_(states.options().windows.size()) {}

std::string MatrixEndpoint::Render(std::size_t window_index, SystemTime now) const {
  json paths = json::array();
  for (const sla::TrackedPath& path : states_.paths()) {
    const windows::WindowStats* stats =
        window_index < path.windows.size() ? &path.windows[window_index] : nullptr;
    const auto age = path.DataAge(now);
    json entry{
        {"src", path.key.source.str()},
        {"dst", path.key.target.str()},
        {"method", MethodName(path.key.method)},
        {"sla_class", path.sla_class.name.str()},
        {"sla_state", sla::PathStateName(states_.StateAt(path, now))},
        {"rtt_p50_seconds", SecondsOrNull(stats ? stats->rtt_p50 : std::nullopt)},
        {"rtt_p95_seconds", SecondsOrNull(stats ? stats->rtt_p95 : std::nullopt)},
        {"rtt_p99_seconds", SecondsOrNull(stats ? stats->rtt_p99 : std::nullopt)},
        {"loss_ratio", stats && stats->loss ? json(stats->loss->value) : json(nullptr)},
        {"jitter_seconds", SecondsOrNull(stats ? stats->jitter : std::nullopt)},
        {"throughput_bits_per_second",
         stats && stats->throughput ? json(stats->throughput->bits_per_second) : json(nullptr)},
        {"data_age_seconds", SecondsOrNull(age)},
        {"last_data_time", path.last_data_end ? json(FormatTime(*path.last_data_end))
                                              : json(nullptr)},
        {"open_breach", path.breaches.open() != nullptr},
    };
    paths.push_back(std::move(entry));
  }
  const json body{
      {"generated_at", FormatTime(now)},
      {"window", windows::WindowName(states_.options().windows[window_index])},
      {"windows_end", FormatTime(states_.next_minute_to_close())},
      {"paths", std::move(paths)},
  };
  return body.dump();
}

exporters::HttpResponse MatrixEndpoint::Handle(const exporters::HttpRequest& request) {
  static constexpr std::array<std::string_view, 1> kAllowed = {"window"};
  auto params = QueryParams::Parse(request.query, kAllowed);
  if (!params) return BadRequest(params.error().message);
  std::size_t window_index = 0;
  if (auto name = params->Get("window")) {
    auto found = FindWindow(states_, *name);
    if (!found) {
      return BadRequest("window: '" + *name + "' is not one of the collector's windows (" +
                        WindowNames(states_) + ")");
    }
    window_index = *found;
  }
  const SystemTime now = states_.clock().SystemNow();
  const std::int64_t second =
      std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  Cached& cached = cache_[window_index];
  if (cached.second != second || cached.version != states_.version() || cached.body.empty()) {
    cached.body = Render(window_index, now);
    cached.version = states_.version();
    cached.second = second;
    cached.etag = "\"m" + std::to_string(cached.version) + "-" + std::to_string(second) + "-" +
                  std::to_string(window_index) + "\"";
  }
  return CachedResponse(request, kJsonContentType, cached.etag, cached.body, 1);
}

}  // namespace linkmon::api
