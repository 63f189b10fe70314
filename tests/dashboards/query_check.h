#pragma once

// The stack test's verdict on the dashboards' queries: every panel, annotation and variable
// query must return data from the real Prometheus scraping the real collector, in at least one
// of a few views (the template-variable values an operator would pick: "All", the breached path,
// the path with bandwidth tests), except the few in the allow-list below, which are empty on a
// healthy stack by design. A query Prometheus refuses always fails. (dashboards/README.md,
// scripts/demo --check.)
//
// Prometheus is reached through AskPrometheus, so the verdict logic is tested with a fake; the
// real one is prometheus_query.h.

#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "tests/dashboards/dashboard_queries.h"

namespace linkmon::dashboards {

// Values for the template variables; variables without one become ".*" (Grafana's "All").
struct QueryView {
  std::string name;  // "breach"
  std::map<std::string, std::string> values;
};

// "NAME:VAR=VALUE,VAR=VALUE" ("all:" sets nothing). Fails (kInvalidArgument) on a missing name,
// ':' or '=' and on a variable set twice.
Result<QueryView> ParseQueryView(std::string_view text);

// Why `query` may return no data on a healthy stack, or nullopt when it must answer. The list is
// short and each entry says why; an entry naming no query of the dashboards is a test failure
// (query_check_test.cpp), so it cannot outlive its panel.
struct EmptyAllowed {
  std::string_view file;
  DashboardQuery::Kind kind;
  std::string_view title;
  std::string_view reason;
};
const std::vector<EmptyAllowed>& EmptyAllowedQueries();
std::optional<std::string_view> EmptyAllowedReason(const DashboardQuery& query);

// The number of series Prometheus answers `expr` with (an instant query, or one over the recent
// range), or why it refused or could not be asked.
using AskPrometheus = std::function<Result<std::size_t>(const std::string& expr, bool instant)>;

enum class QueryVerdict {
  kPass,          // data in at least one view
  kEmptyAllowed,  // no data, and the allow-list says why that is fine
  kEmpty,         // no data in any view: fails
  kRefused,       // Prometheus refused it (or did not answer): fails
};
std::string_view VerdictName(QueryVerdict verdict);

struct QueryResult {
  DashboardQuery query;
  QueryVerdict verdict = QueryVerdict::kEmpty;
  std::vector<std::string> views_with_data;  // names, in view order
  std::string detail;                        // the allow-list's reason, or Prometheus' error
};

// Asks every query in every view (queries whose text does not change between views once).
std::vector<QueryResult> CheckQueries(const std::vector<DashboardQuery>& queries,
                                      const std::vector<QueryView>& views,
                                      const AskPrometheus& ask);

// One line per query and a count per verdict; true when nothing failed.
bool ReportQueryResults(const std::vector<QueryResult>& results, std::ostream& out);

}  // namespace linkmon::dashboards
