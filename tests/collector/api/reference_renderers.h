#pragma once

// The /matrix and /rank renderers as they were before the answers were rendered ahead with cached
// rows (matrix: fmt, every row every time; rank: a nlohmann::json tree), kept verbatim as the
// oracle the new ones are compared with on the same state.

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <limits>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "collector/api/api_json.h"
#include "collector/api/matrix_endpoint.h"
#include "collector/api/query_params.h"
#include "collector/sla/path_states.h"

namespace linkmon::testing {

inline std::string ReferenceMatrix(const sla::PathStates& states_, std::size_t window_index,
                                   SystemTime now, const api::MatrixEndpoint::Filter& filter = {}) {
  using api::FormatTime;
  std::string out;
  const std::span<const sla::TrackedPath> paths =
      filter.from ? states_.PathsFrom(*filter.from) : std::span(states_.paths());
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

namespace reference_rank {

using nlohmann::json;

struct Candidate {
  const sla::TrackedPath* path;
  sla::Judgement judgement;
  double headroom;
};

inline double Headroom(const sla::Judgement& judgement) {
  double headroom = std::numeric_limits<double>::infinity();
  for (const auto& result : judgement.thresholds) {
    const double relative = result.limit > 0 ? *result.margin / result.limit : 0.0;
    headroom = std::min(headroom, relative);
  }
  return headroom;
}

inline std::string Reason(const sla::Judgement& judgement) {
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

}  // namespace reference_rank

inline std::string ReferenceRank(const sla::PathStates& states, const SiteName& site,
                                 const config::SlaClass& sla_class, std::optional<Method> method,
                                 SystemTime now) {
  using namespace reference_rank;
  using api::FormatTime;
  using api::SecondsOrNull;
  using api::ThresholdJson;
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

}  // namespace linkmon::testing
