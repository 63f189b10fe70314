#include "tests/dashboards/query_check.h"

#include <utility>

namespace linkmon::dashboards {
namespace {

using Kind = DashboardQuery::Kind;

// One asked query: its answer, cached by text and kind of query, since many views substitute to
// the same text (queries without variables, or "All" where a view sets nothing).
struct Answer {
  bool refused = false;
  bool has_data = false;
  std::string error;
};

std::string Describe(const DashboardQuery& query) {
  std::string text =
      query.file + " " + std::string(KindName(query.kind)) + " \"" + query.panel_title + "\"";
  if (!query.ref_id.empty()) text += " " + query.ref_id;
  return text;
}

}  // namespace

Result<QueryView> ParseQueryView(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "view '" + std::string(text) + "': wants NAME:VAR=VALUE,... (or NAME:)");
  }
  QueryView view{.name = std::string(text.substr(0, colon)), .values = {}};
  std::string_view rest = text.substr(colon + 1);
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view assignment = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const std::size_t equals = assignment.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "view '" + view.name + "': '" + std::string(assignment) + "' is not VAR=VALUE");
    }
    const std::string name(assignment.substr(0, equals));
    if (!view.values.emplace(name, std::string(assignment.substr(equals + 1))).second) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "view '" + view.name + "': variable '" + name + "' set twice");
    }
  }
  return view;
}

const std::vector<EmptyAllowed>& EmptyAllowedQueries() {
  static const auto* allowed = new std::vector<EmptyAllowed>{
      {"linkmon-overview.json", Kind::kPanel, "Paths not OK",
       "lists paths whose state is not ok: empty while every path is ok"},
      {"linkmon-path.json", Kind::kAnnotation, "Breaches",
       "marks open breach events: empty while the path has none"},
      {"linkmon-path.json", Kind::kAnnotation, "Alerts",
       "marks alerts firing on the path: empty while none fires"},
  };
  return *allowed;
}

std::optional<std::string_view> EmptyAllowedReason(const DashboardQuery& query) {
  for (const EmptyAllowed& entry : EmptyAllowedQueries()) {
    if (entry.file == query.file && entry.kind == query.kind && entry.title == query.panel_title) {
      return entry.reason;
    }
  }
  return std::nullopt;
}

std::string_view VerdictName(QueryVerdict verdict) {
  switch (verdict) {
    case QueryVerdict::kPass:
      return "pass";
    case QueryVerdict::kEmptyAllowed:
      return "empty-ok";
    case QueryVerdict::kEmpty:
      return "FAIL";
    case QueryVerdict::kRefused:
      return "REFUSED";
  }
  return "FAIL";
}

std::vector<QueryResult> CheckQueries(const std::vector<DashboardQuery>& queries,
                                      const std::vector<QueryView>& views,
                                      const AskPrometheus& ask) {
  std::map<std::pair<std::string, bool>, Answer> answers;
  std::vector<QueryResult> results;
  for (const DashboardQuery& query : queries) {
    QueryResult result{
        .query = query, .verdict = QueryVerdict::kEmpty, .views_with_data = {}, .detail = {}};
    bool refused = false;
    for (const QueryView& view : views) {
      const std::string expr = SubstituteVariables(PromQlOf(query), view.values);
      auto [it, fresh] = answers.try_emplace({expr, query.instant});
      Answer& answer = it->second;
      if (fresh) {
        auto series = ask(expr, query.instant);
        if (series) {
          answer.has_data = *series > 0;
        } else {
          answer.refused = true;
          answer.error = series.error().message;
        }
      }
      if (answer.refused) {
        refused = true;
        if (result.detail.empty()) result.detail = view.name + ": " + answer.error;
      } else if (answer.has_data) {
        result.views_with_data.push_back(view.name);
      }
    }
    if (refused) {
      result.verdict = QueryVerdict::kRefused;
    } else if (!result.views_with_data.empty()) {
      result.verdict = QueryVerdict::kPass;
    } else if (auto reason = EmptyAllowedReason(query)) {
      result.verdict = QueryVerdict::kEmptyAllowed;
      result.detail = std::string(*reason);
    } else {
      result.verdict = QueryVerdict::kEmpty;
      result.detail = "no data in any view";
    }
    results.push_back(std::move(result));
  }
  return results;
}

bool ReportQueryResults(const std::vector<QueryResult>& results, std::ostream& out) {
  std::map<QueryVerdict, int> counts;
  for (const QueryResult& result : results) {
    ++counts[result.verdict];
    out << VerdictName(result.verdict) << "  " << Describe(result.query);
    if (result.verdict == QueryVerdict::kPass) {
      out << "  data in:";
      for (const std::string& view : result.views_with_data) out << " " << view;
    } else {
      out << "  " << result.detail;
    }
    out << "\n";
    if (result.verdict == QueryVerdict::kEmpty || result.verdict == QueryVerdict::kRefused) {
      out << "    query: " << PromQlOf(result.query) << "\n";
    }
  }
  out << "dashboard queries: " << counts[QueryVerdict::kPass] << " pass, "
      << counts[QueryVerdict::kEmptyAllowed] << " empty as allowed, "
      << counts[QueryVerdict::kEmpty] << " empty (FAIL), " << counts[QueryVerdict::kRefused]
      << " refused (FAIL)\n";
  return counts[QueryVerdict::kEmpty] == 0 && counts[QueryVerdict::kRefused] == 0;
}

}  // namespace linkmon::dashboards
