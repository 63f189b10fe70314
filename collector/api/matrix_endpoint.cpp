#include "collector/api/matrix_endpoint.h"

#include <array>
#include <span>

#include "collector/api/api_response.h"
#include "collector/api/json_writer.h"
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

MatrixEndpoint::MatrixEndpoint(const sla::PathStates& states) : states_(states) {
  for (std::size_t i = 0; i < states_.options().windows.size(); ++i) rows_.emplace_back(states_, i);
}

std::string MatrixEndpoint::Render(std::size_t window_index, SystemTime now, const Filter& filter) {
  // Written with JsonWriter rather than built as a nlohmann::json tree (json_writer.h says why).
  std::string out;
  const std::span<const sla::TrackedPath> paths =
      filter.from ? states_.PathsFrom(*filter.from) : std::span(states_.paths());
  out.reserve(paths.size() * 360 + 256);
  JsonWriter json(out);
  json.Raw(R"({"generated_at":)");
  json.String(FormatTime(now));
  json.Raw(R"(,"window":)");
  json.String(windows::WindowName(states_.options().windows[window_index]));
  json.Raw(R"(,"windows_end":)");
  json.String(FormatTime(states_.next_minute_to_close()));
  json.Raw(R"(,"paths":[)");
  rows_[window_index].Append(out, paths, filter.method, now);
  json.Raw("]}");
  return out;
}

std::size_t MatrixEndpoint::Refresh() {
  return cache_.Refresh(states_.version(), states_.clock().SystemNow());
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
  const std::string key = std::to_string(window_index) + "/" +
                          (filter.from ? filter.from->str() : "") + "/" +
                          (filter.method ? std::string(MethodName(*filter.method)) : "");
  const AnswerCache::Answer* answer =
      cache_.Get(key, states_.version(), states_.clock().SystemNow(),
                 [this, window_index, filter](SystemTime now) -> std::optional<std::string> {
                   return Render(window_index, now, filter);
                 });
  return CachedResponse(request, kJsonContentType, answer->etag, answer->body, 1);
}

}  // namespace linkmon::api
