#include "collector/api/matrix_endpoint.h"

#include <fmt/format.h>

#include <array>
#include <functional>
#include <iterator>
#include <span>

#include "collector/api/api_json.h"
#include "collector/api/api_response.h"
#include "collector/api/query_params.h"

namespace linkmon::api {

namespace {

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

MatrixEndpoint::MatrixEndpoint(const sla::PathStates& states) : states_(states) {}

std::string MatrixEndpoint::Render(std::size_t window_index, SystemTime now,
                                   const Filter& filter) const {
  // Written with fmt rather than built as a nlohmann::json tree: 10,000 paths took 67 ms of CPU
  // that way and take 7 ms this way (bench/api_bench.cpp). Every string here is a validated name,
  // method, state or formatted time (common/ids.h: [a-z0-9_-]), so nothing needs JSON escaping;
  // numbers use fmt's shortest round-trip form, which is valid JSON.
  std::string out;
  const std::span<const sla::TrackedPath> paths =
      filter.from ? states_.PathsFrom(*filter.from) : std::span(states_.paths());
  out.reserve(paths.size() * 360 + 256);
  auto appender = std::back_inserter(out);
  auto number = [&](std::optional<double> value) {
    if (value) {
      fmt::format_to(appender, "{}", *value);
    } else {
      out += "null";
    }
  };
  auto seconds = [](std::optional<std::chrono::nanoseconds> value) -> std::optional<double> {
    if (!value) return std::nullopt;
    return std::chrono::duration<double>(*value).count();
  };
  fmt::format_to(appender, R"({{"generated_at":"{}","window":"{}","windows_end":"{}","paths":[)",
                 FormatTime(now), windows::WindowName(states_.options().windows[window_index]),
                 FormatTime(states_.next_minute_to_close()));
  bool first = true;
  for (const sla::TrackedPath& path : paths) {
    if (filter.method && path.key.method != *filter.method) continue;
    const windows::WindowStats* stats =
        window_index < path.windows.size() ? &path.windows[window_index] : nullptr;
    if (!first) out += ',';
    first = false;
    fmt::format_to(appender,
                   R"({{"src":"{}","dst":"{}","method":"{}","sla_class":"{}","sla_state":"{}",)",
                   path.key.source.str(), path.key.target.str(), MethodName(path.key.method),
                   path.sla_class.name.str(), sla::PathStateName(states_.StateAt(path, now)));
    out += R"("rtt_p50_seconds":)";
    number(seconds(stats ? stats->rtt_p50 : std::nullopt));
    out += R"(,"rtt_p95_seconds":)";
    number(seconds(stats ? stats->rtt_p95 : std::nullopt));
    out += R"(,"rtt_p99_seconds":)";
    number(seconds(stats ? stats->rtt_p99 : std::nullopt));
    out += R"(,"loss_ratio":)";
    number(stats && stats->loss ? std::optional<double>(stats->loss->value) : std::nullopt);
    out += R"(,"jitter_seconds":)";
    number(seconds(stats ? stats->jitter : std::nullopt));
    out += R"(,"throughput_bits_per_second":)";
    if (stats && stats->throughput) {
      fmt::format_to(appender, "{}", stats->throughput->bits_per_second);
    } else {
      out += "null";
    }
    out += R"(,"data_age_seconds":)";
    number(seconds(path.DataAge(now)));
    out += R"(,"last_data_time":)";
    if (path.last_data_end) {
      fmt::format_to(appender, R"("{}")", FormatTime(*path.last_data_end));
    } else {
      out += "null";
    }
    fmt::format_to(appender, R"(,"open_breach":{}}})",
                   path.breaches.open() != nullptr ? "true" : "false");
  }
  out += "]}";
  return out;
}

exporters::HttpResponse MatrixEndpoint::Handle(const exporters::HttpRequest& request) {
  static constexpr std::array<std::string_view, 3> kAllowed = {"window", "from", "method"};
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
  Filter filter;
  if (auto name = params->Get("method")) {
    filter.method = ParseMethod(*name);
    if (!filter.method) return BadRequest("method: unknown method '" + *name + "'");
  }
  if (auto from = params->Get("from")) {
    auto site = SiteName::Make(*from);
    if (!site || !states_.KnowsSite(*from)) return NotFound("from: unknown site '" + *from + "'");
    filter.from = std::move(*site);
  }
  const SystemTime now = states_.clock().SystemNow();
  const std::int64_t second =
      std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  const std::string key = std::to_string(window_index) + "/" +
                          (filter.from ? filter.from->str() : "") + "/" +
                          (filter.method ? std::string(MethodName(*filter.method)) : "");
  Cached& cached = cache_[key];
  if (cached.second != second || cached.version != states_.version() || cached.body.empty()) {
    cached.body = Render(window_index, now, filter);
    cached.version = states_.version();
    cached.second = second;
    cached.etag = "\"m" + std::to_string(cached.version) + "-" + std::to_string(second) + "-" +
                  std::to_string(std::hash<std::string>{}(key)&0xffffffu) + "\"";
  }
  return CachedResponse(request, kJsonContentType, cached.etag, cached.body, 1);
}

}  // namespace linkmon::api
