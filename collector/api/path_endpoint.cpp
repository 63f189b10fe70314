#include "collector/api/path_endpoint.h"

#include <array>

#include "collector/api/api_json.h"
#include "collector/api/api_response.h"
#include "collector/api/breach_lookup.h"
#include "collector/api/query_params.h"
#include "collector/store/summary_store.h"

namespace linkmon::api {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kPrefix = "/api/v1/paths/";
constexpr auto kMaxRange = 24h;
constexpr std::size_t kMaxBreaches = 24 * 60;

json MinuteJson(SystemTime minute, sla::Verdict verdict, const windows::MinuteStats* stats) {
  json entry{{"start", FormatTime(minute)}, {"verdict", sla::VerdictName(verdict)}};
  if (stats != nullptr) {
    const auto figures = windows::SummarizeWindow(windows::kMinute, 1, *stats);
    entry["probes_sent"] = figures.counts.sent;
    entry["probes_received"] = figures.counts.received;
    entry["loss_ratio"] = figures.loss ? json(figures.loss->value) : json(nullptr);
    entry["rtt_p50_seconds"] = SecondsOrNull(figures.rtt_p50);
    entry["rtt_p95_seconds"] = SecondsOrNull(figures.rtt_p95);
    entry["rtt_p99_seconds"] = SecondsOrNull(figures.rtt_p99);
    entry["jitter_seconds"] = SecondsOrNull(figures.jitter);
    entry["throughput_bits_per_second"] =
        figures.throughput ? json(figures.throughput->bits_per_second) : json(nullptr);
  } else {
    for (const char* name :
         {"probes_sent", "probes_received", "loss_ratio", "rtt_p50_seconds", "rtt_p95_seconds",
          "rtt_p99_seconds", "jitter_seconds", "throughput_bits_per_second"}) {
      entry[name] = nullptr;
    }
  }
  return entry;
}

// The stored minutes of `path` in [from, to), oldest first, as the windows hold them.
Result<std::vector<std::pair<SystemTime, windows::MinuteStats>>> StoredMinutes(
    store::SummaryStore& store, const PathKey& path, SystemTime from, SystemTime to) {
  auto records = store.MinuteSummaries(path, from, to);
  if (!records) return tl::unexpected(records.error());
  std::vector<std::pair<SystemTime, windows::MinuteStats>> minutes;
  minutes.reserve(records->size());
  for (const store::MinuteRecord& record : *records) {
    windows::MinuteStats stats = windows::MinuteStats::FromSummary(record.summary);
    stats.throughput = record.throughput;
    minutes.emplace_back(record.minute, std::move(stats));
  }
  return minutes;
}

Result<json> PathJson(const sla::PathStates& states, store::SummaryStore* store,
                      const sla::TrackedPath& path,
                      const std::vector<sla::BreachEvent>& breaches_in_range, SystemTime from,
                      SystemTime to, SystemTime now) {
  json windows = json::array();
  for (const auto& stats : path.windows) windows.push_back(WindowJson(stats));
  json thresholds = json::array();
  for (const auto& result : path.judgement.thresholds) thresholds.push_back(ThresholdJson(result));
  // Memory holds the minutes the longest window still reaches (and those not closed yet); the
  // store every minute of the retention, so it answers for the older ones.
  const SystemTime memory_from = states.next_minute_to_close() - path.minutes.longest();
  std::vector<std::pair<SystemTime, windows::MinuteStats>> stored;
  if (store != nullptr && from < memory_from) {
    auto read = StoredMinutes(*store, path.key, from, std::min(to, memory_from));
    if (!read) return tl::unexpected(read.error());
    stored = std::move(*read);
  }
  auto next_stored = stored.begin();
  json minutes = json::array();
  path.budget.ForEachMinute(from, to, [&](SystemTime minute, sla::Verdict verdict) {
    const windows::MinuteStats* stats = nullptr;
    if (minute >= memory_from) {
      stats = path.minutes.Find(minute);
    } else {
      while (next_stored != stored.end() && next_stored->first < minute) ++next_stored;
      if (next_stored != stored.end() && next_stored->first == minute) stats = &next_stored->second;
    }
    minutes.push_back(MinuteJson(minute, verdict, stats));
  });
  json breaches = json::array();
  for (const auto& event : breaches_in_range) {
    if (event.path.method == path.key.method) breaches.push_back(BreachJson(event, now));
  }
  const sla::BreachEvent* open = path.breaches.open();
  return json{
      {"method", MethodName(path.key.method)},
      {"sla_class", path.sla_class.name.str()},
      {"sla_state", sla::PathStateName(states.StateAt(path, now))},
      {"data_age_seconds", SecondsOrNull(path.DataAge(now))},
      {"last_data_time",
       path.last_data_end ? json(FormatTime(*path.last_data_end)) : json(nullptr)},
      {"windows", std::move(windows)},
      {"judgement", json{{"minute_verdict", sla::VerdictName(path.judgement.verdict)},
                         {"thresholds", std::move(thresholds)}}},
      {"error_budget", BudgetJson(path.budget)},
      {"minutes", std::move(minutes)},
      {"open_breach", open != nullptr ? BreachJson(*open, now) : json(nullptr)},
      {"breaches", std::move(breaches)},
  };
}

}  // namespace

PathEndpoint::PathEndpoint(const sla::PathStates& states, sla::BreachArchive* archive,
                           store::SummaryStore* store)
    : states_(states), archive_(archive), store_(store) {}

exporters::HttpResponse PathEndpoint::Handle(const exporters::HttpRequest& request) const {
  std::string_view rest = request.path;
  if (rest.substr(0, kPrefix.size()) == kPrefix) rest.remove_prefix(kPrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size() ||
      rest.find('/', slash + 1) != std::string_view::npos) {
    return NotFound("expected /api/v1/paths/{src}/{dst}");
  }
  const std::string src(rest.substr(0, slash));
  const std::string dst(rest.substr(slash + 1));
  if (!states_.KnowsSite(src)) return NotFound("src: unknown site '" + src + "'");
  if (!states_.KnowsTarget(dst)) return NotFound("dst: unknown target '" + dst + "'");

  static constexpr std::array<std::string_view, 3> kAllowed = {"method", "from", "to"};
  auto params = QueryParams::Parse(request.query, kAllowed);
  if (!params) return BadRequest(params.error().message);
  std::optional<Method> method;
  if (auto name = params->Get("method")) {
    method = ParseMethod(*name);
    if (!method) return BadRequest("method: unknown method '" + *name + "'");
  }
  const SystemTime now = states_.clock().SystemNow();
  SystemTime to = states_.next_minute_to_close();
  if (auto text = params->Get("to")) {
    auto parsed = ParseTimeParam("to", *text);
    if (!parsed) return BadRequest(parsed.error().message);
    to = *parsed;
  }
  SystemTime from = to - 1h;
  if (auto text = params->Get("from")) {
    auto parsed = ParseTimeParam("from", *text);
    if (!parsed) return BadRequest(parsed.error().message);
    from = *parsed;
  }
  if (from >= to) return BadRequest("from: must be before to");
  if (to - from > kMaxRange) return BadRequest("from, to: at most 24h of minutes per request");

  const SiteName source = *SiteName::Make(src);
  // Breaches of every method of the pair, at most one per minute pair of the range (hysteresis
  // needs a bad and a good minute between two), so the limit never truncates.
  auto breaches =
      LookUpBreaches(states_, archive_, sla::BreachQuery{from, to, source, *TargetName::Make(dst)},
                     std::nullopt, kMaxBreaches);
  if (!breaches) {
    return exporters::MakeJsonError(boost::beast::http::status::internal_server_error,
                                    "paths: the store failed: " + breaches.error().message);
  }
  json paths = json::array();
  for (const sla::TrackedPath& path : states_.PathsFrom(source)) {
    if (path.key.target.str() != dst) continue;
    if (method && path.key.method != *method) continue;
    auto entry = PathJson(states_, store_, path, breaches->events, from, to, now);
    if (!entry) {
      return exporters::MakeJsonError(boost::beast::http::status::internal_server_error,
                                      "paths: the store failed: " + entry.error().message);
    }
    paths.push_back(std::move(*entry));
  }
  if (paths.empty()) {
    return NotFound("no path from " + src + " to " + dst +
                    (method ? " by " + std::string(MethodName(*method)) : std::string()) +
                    " in the config");
  }
  return JsonResponse(json{{"src", src},
                           {"dst", dst},
                           {"generated_at", FormatTime(now)},
                           {"from", FormatTime(from)},
                           {"to", FormatTime(to)},
                           {"paths", std::move(paths)}});
}

}  // namespace linkmon::api
