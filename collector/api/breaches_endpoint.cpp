#include "collector/api/breaches_endpoint.h"

#include <array>
#include <charconv>

#include <fmt/format.h>

#include "collector/api/api_json.h"
#include "collector/api/api_response.h"
#include "collector/api/breach_lookup.h"
#include "collector/api/query_params.h"

namespace linkmon::api {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace http = boost::beast::http;

constexpr std::size_t kDefaultLimit = 1000;
constexpr std::size_t kMaxLimit = 10'000;
constexpr std::string_view kNextCursorHeader = "X-Linkmon-Next-Cursor";

}  // namespace

std::string BreachesCsv(const std::vector<sla::BreachEvent>& events, SystemTime now) {
  std::string csv =
      "id,src,dst,method,sla_class,start,end,duration_seconds,bad_minutes,thresholds_crossed\r\n";
  for (const auto& event : events) {
    const SystemTime end = event.end.value_or(now);
    std::string crossed;
    for (const auto& threshold : event.crossed) {
      if (!crossed.empty()) crossed += ' ';
      crossed += fmt::format(
          "{}:{}:limit={}:worst={}:minutes={}", sla::ThresholdKindName(threshold.kind),
          windows::WindowName(threshold.window), threshold.limit,
          threshold.worst_value ? fmt::format("{}", *threshold.worst_value) : "none",
          threshold.violated_minutes);
    }
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{}\r\n", event.id, event.path.source.str(),
                       event.path.target.str(), MethodName(event.path.method),
                       event.sla_class.str(), FormatTime(event.start),
                       event.end ? FormatTime(*event.end) : "open",
                       std::chrono::duration_cast<std::chrono::seconds>(end - event.start).count(),
                       event.bad_minutes, crossed);
  }
  return csv;
}

BreachesEndpoint::BreachesEndpoint(const sla::PathStates& states, sla::BreachArchive* archive)
    : states_(states), archive_(archive) {}

exporters::HttpResponse BreachesEndpoint::Handle(const exporters::HttpRequest& request) const {
  static constexpr std::array<std::string_view, 7> kAllowed = {"from",   "to",    "src",   "dst",
                                                               "format", "limit", "cursor"};
  auto params = QueryParams::Parse(request.query, kAllowed);
  if (!params) return BadRequest(params.error().message);
  const SystemTime now = states_.clock().SystemNow();
  sla::BreachQuery query{now - 24h, now, std::nullopt, std::nullopt};
  if (auto text = params->Get("to")) {
    auto parsed = ParseTimeParam("to", *text);
    if (!parsed) return BadRequest(parsed.error().message);
    query.to = *parsed;
    query.from = query.to - 24h;
  }
  if (auto text = params->Get("from")) {
    auto parsed = ParseTimeParam("from", *text);
    if (!parsed) return BadRequest(parsed.error().message);
    query.from = *parsed;
  }
  if (query.from >= query.to) return BadRequest("from: must be before to");
  if (auto src = params->Get("src")) {
    if (!states_.KnowsSite(*src)) return NotFound("src: unknown site '" + *src + "'");
    query.source = *SiteName::Make(*src);
  }
  if (auto dst = params->Get("dst")) {
    if (!states_.KnowsTarget(*dst)) return NotFound("dst: unknown target '" + *dst + "'");
    query.target = *TargetName::Make(*dst);
  }
  bool csv = false;
  if (auto format = params->Get("format")) {
    if (*format == "csv") {
      csv = true;
    } else if (*format != "json") {
      return BadRequest("format: expected json or csv, got '" + *format + "'");
    }
  } else if (auto accept = request.message.find(http::field::accept);
             accept != request.message.end() &&
             std::string_view(accept->value().data(), accept->value().size()).find("text/csv") !=
                 std::string_view::npos) {
    csv = true;
  }
  std::size_t limit = kDefaultLimit;
  if (auto text = params->Get("limit")) {
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (error != std::errc() || end != text->data() + text->size() || limit < 1 ||
        limit > kMaxLimit) {
      return BadRequest(fmt::format("limit: expected 1 to {}, got '{}'", kMaxLimit, *text));
    }
  }
  std::optional<sla::BreachArchive::Position> after;
  if (auto text = params->Get("cursor")) {
    auto parsed = ParseCursor("cursor", *text);
    if (!parsed) return BadRequest(parsed.error().message);
    after = std::move(*parsed);
  }
  auto page = LookUpBreaches(states_, archive_, query, after, limit);
  if (!page) {
    return exporters::MakeJsonError(http::status::internal_server_error,
                                    "breaches: the store failed: " + page.error().message);
  }
  const std::optional<std::string> next =
      page->next ? std::optional<std::string>(CursorText(*page->next)) : std::nullopt;
  exporters::HttpResponse response;
  if (csv) {
    response = exporters::MakeResponse(http::status::ok, "text/csv; charset=utf-8",
                                       BreachesCsv(page->events, now));
  } else {
    json list = json::array();
    for (const auto& event : page->events) list.push_back(BreachJson(event, now));
    response = JsonResponse(json{{"from", FormatTime(query.from)},
                                 {"to", FormatTime(query.to)},
                                 {"generated_at", FormatTime(now)},
                                 {"breaches", std::move(list)},
                                 {"truncated", next.has_value()},
                                 {"next_cursor", next ? json(*next) : json(nullptr)}});
  }
  if (next)
    response.set(boost::beast::string_view(kNextCursorHeader.data(), kNextCursorHeader.size()),
                 *next);
  return response;
}

}  // namespace linkmon::api
