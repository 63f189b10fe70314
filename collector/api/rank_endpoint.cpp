#include "collector/api/rank_endpoint.h"

#include <algorithm>
#include <array>
#include <limits>

#include "collector/api/api_json.h"
#include "collector/api/api_response.h"
#include "collector/api/json_writer.h"
#include "collector/api/query_params.h"

namespace linkmon::api {

namespace {

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

// Not meeting: {"dst","method","sla_state","reason"}.
void WriteRefusal(JsonWriter& json, const sla::TrackedPath& path, sla::PathState state,
                  std::string_view reason) {
  json.Raw(R"({"dst":)");
  json.String(path.key.target.str());
  json.Raw(R"(,"method":)");
  json.String(MethodName(path.key.method));
  json.Raw(R"(,"sla_state":)");
  json.String(sla::PathStateName(state));
  json.Raw(R"(,"reason":)");
  json.String(reason);
  json.Raw("}");
}

void WriteCandidate(JsonWriter& json, const sla::PathStates& states, const Candidate& candidate,
                    SystemTime now) {
  const sla::TrackedPath& path = *candidate.path;
  const windows::WindowStats* shortest = path.windows.empty() ? nullptr : &path.windows[0];
  json.Raw(R"({"dst":)");
  json.String(path.key.target.str());
  json.Raw(R"(,"method":)");
  json.String(MethodName(path.key.method));
  json.Raw(R"(,"headroom_ratio":)");
  json.Number(candidate.headroom);
  json.Raw(R"(,"rtt_p50_seconds":)");
  json.Seconds(shortest ? shortest->rtt_p50 : std::nullopt);
  json.Raw(R"(,"rtt_p99_seconds":)");
  json.Seconds(shortest ? shortest->rtt_p99 : std::nullopt);
  json.Raw(R"(,"data_age_seconds":)");
  json.Seconds(path.DataAge(now));
  json.Raw(R"(,"sla_state":)");
  json.String(sla::PathStateName(states.StateAt(path, now)));
  json.Raw(R"(,"open_breach":)");
  json.Bool(path.breaches.open() != nullptr);
  json.Raw(R"(,"thresholds":[)");
  bool first = true;
  for (const auto& result : candidate.judgement.thresholds) {
    if (!first) json.Raw(",");
    first = false;
    WriteThreshold(json, result);
  }
  json.Raw("]}");
}

}  // namespace

std::string RenderRank(const sla::PathStates& states, const SiteName& site,
                       const config::SlaClass& sla_class, std::optional<Method> method,
                       SystemTime now) {
  // Written with JsonWriter rather than built as a nlohmann::json tree (json_writer.h says why):
  // one site's 100 paths took 2-4 ms that way on the loaded 2-core machine.
  std::vector<Candidate> meeting;
  std::string not_meeting;
  JsonWriter refusals(not_meeting);
  for (const sla::TrackedPath& path : states.PathsFrom(site)) {
    if (method && path.key.method != *method) continue;
    const sla::PathState state = states.StateAt(path, now);
    auto refuse = [&](std::string_view reason) {
      if (!not_meeting.empty()) not_meeting += ',';
      WriteRefusal(refusals, path, state, reason);
    };
    if (!path.last_data_end) {
      refuse("no data yet");
      continue;
    }
    if (state == sla::PathState::kStale) {
      refuse("stale: no data for " +
             std::to_string(
                 std::chrono::duration_cast<std::chrono::seconds>(*path.DataAge(now)).count()) +
             " s");
      continue;
    }
    sla::Judgement judgement = sla::JudgeWindows(sla_class, path.key.method, path.windows);
    const bool all_met =
        !judgement.thresholds.empty() &&
        std::all_of(judgement.thresholds.begin(), judgement.thresholds.end(),
                    [](const auto& r) { return r.outcome == sla::ThresholdOutcome::kMet; });
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
  std::string out;
  out.reserve(meeting.size() * 900 + not_meeting.size() + 256);
  JsonWriter json(out);
  json.Raw(R"({"from":)");
  json.String(site.str());
  json.Raw(R"(,"sla_class":)");
  json.String(sla_class.name.str());
  json.Raw(R"(,"generated_at":)");
  json.String(FormatTime(now));
  json.Raw(R"(,"windows_end":)");
  json.String(FormatTime(states.next_minute_to_close()));
  json.Raw(R"(,"targets":[)");
  bool first = true;
  for (const Candidate& candidate : meeting) {
    if (!first) json.Raw(",");
    first = false;
    WriteCandidate(json, states, candidate, now);
  }
  json.Raw(R"(],"not_meeting":[)");
  json.Raw(not_meeting);
  json.Raw("]}");
  return out;
}

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
  if (states_.FindSlaClass(*sla) == nullptr) {
    return NotFound("sla: unknown SLA class '" + *sla + "'");
  }

  const std::string key =
      *from + "/" + *sla + "/" + (method ? std::string(MethodName(*method)) : "");
  // The class is looked up again at each render: a reload may change or remove it.
  const AnswerCache::Answer* answer =
      cache_.Get(key, states_.version(), states_.clock().SystemNow(),
                 [this, site = *site, class_name = *sla,
                  method](SystemTime now) -> std::optional<std::string> {
                   const config::SlaClass* sla_class = states_.FindSlaClass(class_name);
                   if (sla_class == nullptr) return std::nullopt;
                   return RenderRank(states_, site, *sla_class, method, now);
                 });
  if (answer == nullptr) return NotFound("sla: unknown SLA class '" + *sla + "'");
  return CachedResponse(request, kJsonContentType, answer->etag, answer->body, 1);
}

std::size_t RankEndpoint::Refresh() {
  return cache_.Refresh(states_.version(), states_.clock().SystemNow());
}

}  // namespace linkmon::api
