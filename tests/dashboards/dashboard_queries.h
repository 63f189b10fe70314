#pragma once

// Reads the Grafana dashboards of dashboards/grafana/dashboards/ and lists
// every PromQL query in them: panel targets (also panels nested in rows),
// annotation queries, and the selectors inside the template variables'
// label_values(...). Used by the dashboard checks here and by the stack test
// that runs every query against the real Prometheus (dashboards/README.md).
//
// Template variables are written $name, ${name}, ${name:format} or [[name]] in
// Grafana; Grafana's own $__rate_interval, $__interval and $__range are filled
// with fixed durations.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace linkmon::dashboards {

struct DashboardQuery {
  enum class Kind { kPanel, kAnnotation, kVariable };
  std::string file;       // "linkmon-overview.json"
  std::string dashboard;  // the dashboard's uid
  Kind kind = Kind::kPanel;
  std::string panel_title;  // the panel's, the annotation's name or the variable's name
  std::string ref_id;       // the target's refId ("A"); empty for annotations and variables
  std::string expr;         // PromQL as written, variables unsubstituted
  // Grafana runs a target marked "instant" (stats, tables) at the dashboard's end time and every
  // other query (time series, annotations, variables) over its time range.
  bool instant = false;
};

std::string_view KindName(DashboardQuery::Kind kind);

// One dashboard's queries, in panel order. Fails (kParse) when a target has no
// expr.
Result<std::vector<DashboardQuery>> ExtractQueries(const nlohmann::json &dashboard,
                                                   const std::string &file);

// Every *.json in `directory`, sorted by file name, parsed. Fails on unreadable
// or invalid JSON.
Result<std::vector<std::pair<std::string, nlohmann::json>>> LoadDashboards(
    const std::filesystem::path &directory);

// Names of the template variables used in `expr` ("src" for "$src", "${src}",
// "[[src]]"), Grafana's built-ins ("__rate_interval") included.
std::set<std::string> VariablesUsed(std::string_view expr);

// Names the dashboard defines under templating.list.
std::set<std::string> VariablesDefined(const nlohmann::json &dashboard);

// `expr` with every variable replaced by values[name]; variables without a
// value become ".*" (what "All" means in these dashboards). Built-ins:
// $__rate_interval 1m, $__interval 15s,
// $__range 1h, $__range_s 3600.
std::string SubstituteVariables(std::string_view expr,
                                const std::map<std::string, std::string> &values);

// The PromQL selector inside a variable query "label_values(SELECTOR, label)",
// or the whole query when it is not a label_values call with a selector.
std::string VariableQuerySelector(std::string_view query);

// What Prometheus is asked for `query`: its expr, or for a variable the
// selector of its label_values(...). Variables unsubstituted.
std::string PromQlOf(const DashboardQuery &query);

}  // namespace linkmon::dashboards
