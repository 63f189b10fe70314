#include "collector/api/rank_endpoint.h"

#include <algorithm>
#include <array>
#include <limits>

#include "collector/api/api_json.h"
#include "collector/api/api_response.h"
#include "collector/api/query_params.h"

namespace linkmon::api {

namespace {

using nlohmann::json;

struct Candidate {
  const sla::TrackedPath* path;
  sla::Judgement judgement;
  double headroom;
};

double Headroom(const sla::Judgement& judgement) {
  double headroom = std::numeric_limits<double>::infinity();
  for (const auto& result : judgement.thresholds) {
    const double relative = result.limit > 0 ? *result.margin / result.limit : 0.0;
    headroom = std::min(headroom, relative);
  }
  return headroom;
}

// Why a judged path does not meet the class: the first violated or unjudged threshold.
std::string Reason(const sla::Judgement& judgement) {
  if (judgement.thresholds.empty()) return "no threshold of the class applies to this method";
  for (const auto& result : judgement.thresholds) {
    if (result.outcome == sla::ThresholdOutcome::kViolated) {
      return "violates " + std::string(sla::ThresholdKindName(result.kind));
    }
  }
  for (const auto& result : judgement.thresholds) {
    if (result.outcome == sla::ThresholdOutcome::kNoData) {
      return "no data for " + std::string(sla::ThresholdKindName(result.kind)) + " on its " +
             windows::WindowName(result.window) + " window";
    }
  }
  return "not met";
}

std::string RenderRank(const sla::PathStates& states, const SiteName& site,
                       const config::SlaClass& sla_class, std::optional<Method> method,
                       SystemTime now) {
  std::vector<Candidate> meeting;
  json not_meeting = json::array();
  for (const sla::TrackedPath& path : states.PathsFrom(site)) {
    if (method && path.key.method != *method) continue;
    const sla::PathState state = states.StateAt(path, now);
    auto refuse = [&](const std::string& reason) {
      not_meeting.push_back(json{{"dst", path.key.target.str()},
                                 {"method", MethodName(path.key.method)},
                                 {"sla_state", sla::PathStateName(state)},
                                 {"reason", reason}});
    };
    if (!path.last_data_end) {
      refuse("no data yet");
      continue;
    }
    if (state == sla::PathState::kStale) {
      refuse("stale: no data for " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                        *path.DataAge(now))
                                                        .count()) +
             " s");
      continue;
    }
    sla::Judgement judgement = sla::JudgeWindows(sla_class, path.key.method, path.windows);
    const bool all_met =
        !judgement.thresholds.empty() &&
        std::all_of(judgement.thresholds.begin(), judgement.thresholds.end(), [](const auto& r) {
          return r.outcome == sla::ThresholdOutcome::kMet;
        });
    if (!all_met) {
      refuse(Reason(judgement));
      continue;
    }
    const double headroom = Headroom(judgement);
    meeting.push_back(Candidate{&path, std::move(judgement), headroom});
  }
  std::sort(meeting.begin(), meeting.end(), [](const Candidate& a, const Candidate& b) {
    if (a.headroom != b.headroom) return a.headroom > b.headroom;
    return a.path->key < b.path->key;
  });
  json targets = json::array();
  for (const Candidate& candidate : meeting) {
    const sla::TrackedPath& path = *candidate.path;
    json thresholds = json::array();
    for (const auto& result : candidate.judgement.thresholds) {
      thresholds.push_back(ThresholdJson(result));
    }
    const windows::WindowStats* shortest = path.windows.empty() ? nullptr : &path.windows[0];
    targets.push_back(json{
        {"dst", path.key.target.str()},
        {"method", MethodName(path.key.method)},
        {"headroom_ratio", candidate.headroom},
        {"rtt_p50_seconds", SecondsOrNull(shortest ? shortest->rtt_p50 : std::nullopt)},
        {"rtt_p99_seconds", SecondsOrNull(shortest ? shortest->rtt_p99 : std::nullopt)},
        {"data_age_seconds", SecondsOrNull(path.DataAge(now))},
        {"sla_state", sla::PathStateName(states.StateAt(path, now))},
        {"open_breach", path.breaches.open() != nullptr},
        {"thresholds", std::move(thresholds)},
    });
  }
  return json{{"from", site.str()},
              {"sla_class", sla_class.name.str()},
              {"generated_at", FormatTime(now)},
              {"windows_end", FormatTime(states.next_minute_to_close())},
              {"targets", std::move(targets)},
              {"not_meeting", std::move(not_meeting)}}
      .dump();
}

}  // namespace

RankEndpoint::RankEndpoint(const sla::PathStates& states) : states_(states) {}

exporters::HttpResponse RankEndpoint::Handle(const exporters::HttpRequest& request) {
  static constexpr std::array<std::string_view, 3> kAllowed = {"from", "sla", "method"};
  auto params = QueryParams::Parse(request.query, kAllowed);
  if (!params) return BadRequest(params.error().message);
  const auto from = params->Get("from");
  const auto sla = params->Get("sla");
  if (!from || from->empty()) return BadRequest("from: required (the source site)");
  if (!sla || sla->empty()) return BadRequest("sla: required (an SLA class)");
  std::optional<Method> method;
  if (auto name = params->Get("method")) {
    method = ParseMethod(*name);
    if (!method) return BadRequest("method: unknown method '" + *name + "'");
  }
  auto site = SiteName::Make(*from);
  if (!site || !states_.KnowsSite(*from)) return NotFound("from: unknown site '" + *from + "'");
  const config::SlaClass* sla_class = states_.FindSlaClass(*sla);
  if (sla_class == nullptr) return NotFound("sla: unknown SLA class '" + *sla + "'");

  const SystemTime now = states_.clock().SystemNow();
  const std::int64_t second =
      std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  if (second != cache_second_ || states_.version() != cache_version_) {
    cache_.clear();
    cache_second_ = second;
    cache_version_ = states_.version();
  }
  const std::string key =
      *from + "/" + *sla + "/" + (method ? std::string(MethodName(*method)) : "");
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    it = cache_.emplace(key, RenderRank(states_, *site, *sla_class, method, now)).first;
  }
  const std::string etag = "\"r" + std::to_string(cache_version_) + "-" +
                           std::to_string(second) + "\"";
  return CachedResponse(request, kJsonContentType, etag, it->second, 1);
}

}  // namespace linkmon::api
