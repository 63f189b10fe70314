// linkmon-dashboard-queries: prints every PromQL query of the Grafana
// dashboards, one JSON object per line, variables filled in, for scripts and
// the stack test that run them against a real Prometheus
// (dashboards/README.md).
//
//   linkmon-dashboard-queries [--dir DIR] [--set NAME=VALUE ...]
//
// Variables without --set become ".*" (Grafana's "All" in these dashboards).
// Each line:
//   {"file":..., "dashboard":..., "kind":"panel|annotation|variable",
//   "title":..., "ref_id":...,
//    "expr": <substituted PromQL>, "raw_expr": <as written>}
// Variable queries (label_values(SELECTOR, label)) are given as their SELECTOR.

#include <iostream>
#include <map>
#include <string>

#include "tests/dashboards/dashboard_queries.h"

int main(int argc, char **argv) {
  using namespace linkmon::dashboards;
  std::string dir = std::string(LINKMON_SOURCE_DIR) + "/dashboards/grafana/dashboards";
  std::map<std::string, std::string> values;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (arg == "--set" && i + 1 < argc) {
      const std::string assignment = argv[++i];
      const auto equals = assignment.find('=');
      if (equals == std::string::npos) {
        std::cerr << "linkmon-dashboard-queries: --set wants NAME=VALUE, got " << assignment
                  << "\n";
        return 2;
      }
      values[assignment.substr(0, equals)] = assignment.substr(equals + 1);
    } else {
      std::cerr << "usage: linkmon-dashboard-queries [--dir DIR] [--set "
                   "NAME=VALUE ...]\n";
      return 2;
    }
  }
  auto dashboards = LoadDashboards(dir);
  if (!dashboards) {
    std::cerr << "linkmon-dashboard-queries: " << dashboards.error().message << "\n";
    return 1;
  }
  for (const auto &[file, dashboard] : *dashboards) {
    auto queries = ExtractQueries(dashboard, file);
    if (!queries) {
      std::cerr << "linkmon-dashboard-queries: " << queries.error().message << "\n";
      return 1;
    }
    for (const DashboardQuery &query : *queries) {
      const std::string raw = query.kind == DashboardQuery::Kind::kVariable
                                  ? VariableQuerySelector(query.expr)
                                  : query.expr;
      nlohmann::json line = {
          {"file", query.file},           {"dashboard", query.dashboard},
          {"kind", KindName(query.kind)}, {"title", query.panel_title},
          {"ref_id", query.ref_id},       {"expr", SubstituteVariables(raw, values)},
          {"raw_expr", query.expr}};
      std::cout << line.dump() << "\n";
    }
  }
  return 0;
}
