// The Grafana dashboards of dashboards/grafana/: valid JSON, every datasource
// the provisioned one, every variable defined, every query valid PromQL.
// Grafana is not packaged by Debian, so PromQL is checked with promtool: each
// query (variables filled in) becomes a recording rule of a generated rule file
// and `promtool check rules` parses it with Prometheus' own parser. That needs
// no running server, no port and no waiting; whether each query returns data is
// the stack test's job, against the real Prometheus scraping the real
// collector.

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/dashboards/dashboard_queries.h"
#include "tests/support/subprocess.h"

namespace linkmon::dashboards {
namespace {

using nlohmann::json;

const std::filesystem::path kGrafana =
    std::filesystem::path(LINKMON_SOURCE_DIR) / "dashboards" / "grafana";
const std::set<std::string> kBuiltIns = {"__rate_interval", "__interval", "__range", "__range_s"};
const std::set<std::string> kPathVariables = {"src", "dst", "method", "sla_class"};

std::vector<std::pair<std::string, json>> Dashboards() {
  auto dashboards = LoadDashboards(kGrafana / "dashboards");
  EXPECT_TRUE(dashboards.has_value()) << dashboards.error().message;
  return dashboards.value_or(std::vector<std::pair<std::string, json>>{});
}

std::set<std::string> ProvisionedDatasourceUids() {
  std::set<std::string> uids;
  const YAML::Node file =
      YAML::LoadFile((kGrafana / "provisioning/datasources/linkmon.yaml").string());
  for (const YAML::Node &source : file["datasources"]) uids.insert(source["uid"].as<std::string>());
  return uids;
}

// Every `datasource` object anywhere under `node`, with a JSON-pointer-like
// path for messages.
void CollectDatasources(const json &node, const std::string &where,
                        std::vector<std::pair<std::string, json>> &out) {
  if (node.is_object()) {
    for (const auto &[key, value] : node.items()) {
      if (key == "datasource") out.emplace_back(where, value);
      CollectDatasources(value, where + "/" + key, out);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      CollectDatasources(node[i], where + "/" + std::to_string(i), out);
    }
  }
}

std::string TempDir(const std::string &name) {
  const auto dir = std::filesystem::path(LINKMON_BINARY_DIR) / "tests" / "dashboards" /
                   (name + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

// A rule file with one recording rule per expression, for `promtool check
// rules`.
std::string RuleFile(const std::vector<std::string> &exprs) {
  std::ostringstream out;
  out << "groups:\n  - name: linkmon-dashboard-queries\n    rules:\n";
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    out << "      - record: linkmon_dashboard_check:query" << i << "\n        expr: |\n";
    std::istringstream lines(exprs[i]);
    for (std::string line; std::getline(lines, line);) out << "          " << line << "\n";
  }
  return out.str();
}

testing::CommandResult PromtoolCheckRules(const std::string &name, const std::string &rules) {
  const std::string path = TempDir(name) + "/queries.rules.yml";
  std::ofstream(path) << rules;
  return testing::RunCommand({"promtool", "check", "rules", path}, std::chrono::seconds(60));
}

TEST(GrafanaDashboardsTest, EveryDashboardIsValidJsonWithAUniqueUid) {
  const auto dashboards = Dashboards();
  ASSERT_GE(dashboards.size(), 4u);
  std::set<std::string> uids;
  for (const auto &[file, dashboard] : dashboards) {
    ASSERT_TRUE(dashboard.is_object()) << file;
    const std::string uid = dashboard.value("uid", "");
    EXPECT_FALSE(uid.empty()) << file;
    EXPECT_TRUE(uids.insert(uid).second) << file << ": uid " << uid << " used twice";
    EXPECT_FALSE(dashboard.value("title", "").empty()) << file;
    EXPECT_TRUE(dashboard["panels"].is_array() && !dashboard["panels"].empty()) << file;
  }
  for (const char *uid :
       {"linkmon-overview", "linkmon-path", "linkmon-sla", "linkmon-loss-bandwidth"}) {
    EXPECT_TRUE(uids.contains(uid)) << uid;
  }
}

TEST(GrafanaDashboardsTest, EveryDatasourceResolvesToTheProvisionedOne) {
  const std::set<std::string> provisioned = ProvisionedDatasourceUids();
  ASSERT_EQ(provisioned, std::set<std::string>{"linkmon-prometheus"});
  for (const auto &[file, dashboard] : Dashboards()) {
    std::vector<std::pair<std::string, json>> datasources;
    CollectDatasources(dashboard, file, datasources);
    EXPECT_FALSE(datasources.empty()) << file;
    for (const auto &[where, datasource] : datasources) {
      ASSERT_TRUE(datasource.is_object()) << where << ": datasource must name a uid";
      const std::string uid = datasource.value("uid", "");
      if (datasource.value("type", "") == "grafana") {
        EXPECT_EQ(uid, "-- Grafana --") << where;  // the built-in annotations
        continue;
      }
      EXPECT_EQ(datasource.value("type", ""), "prometheus") << where;
      EXPECT_TRUE(provisioned.contains(uid))
          << where << ": datasource uid '" << uid << "' is not provisioned";
    }
    // Each panel names its datasource (no reliance on Grafana's default).
    for (const json &panel : dashboard["panels"]) {
      if (panel.value("type", "") == "row" || panel.value("type", "") == "text") continue;
      EXPECT_TRUE(panel.contains("datasource")) << file << ": " << panel.value("title", "");
    }
  }
}

TEST(GrafanaDashboardsTest, EveryVariableUsedIsDefinedAndEveryDashboardFiltersByPath) {
  for (const auto &[file, dashboard] : Dashboards()) {
    const std::set<std::string> defined = VariablesDefined(dashboard);
    for (const std::string &name : kPathVariables) {
      EXPECT_TRUE(defined.contains(name)) << file << ": no template variable " << name;
    }
    auto queries = ExtractQueries(dashboard, file);
    ASSERT_TRUE(queries.has_value()) << queries.error().message;
    for (const DashboardQuery &query : *queries) {
      for (const std::string &name : VariablesUsed(query.expr)) {
        EXPECT_TRUE(defined.contains(name) || kBuiltIns.contains(name))
            << file << ": '" << query.panel_title << "' uses $" << name << ", not defined";
      }
    }
  }
}

TEST(GrafanaDashboardsTest, EveryPanelHasAQuery) {
  for (const auto &[file, dashboard] : Dashboards()) {
    for (const json &panel : dashboard["panels"]) {
      if (panel.value("type", "") == "row" || panel.value("type", "") == "text") continue;
      ASSERT_TRUE(panel.contains("targets")) << file << ": " << panel.value("title", "");
      EXPECT_FALSE(panel["targets"].empty()) << file << ": " << panel.value("title", "");
      for (const json &target : panel["targets"]) {
        EXPECT_FALSE(target.value("expr", "").empty()) << file << ": " << panel.value("title", "");
        EXPECT_FALSE(target.value("refId", "").empty()) << file << ": " << panel.value("title", "");
      }
    }
  }
}

// Two substitutions: "All" (every variable .*) and one concrete path, as a user
// would pick.
TEST(GrafanaDashboardsTest, EveryQueryIsValidPromQL) {
  const std::vector<std::map<std::string, std::string>> choices = {
      {}, {{"src", "xining"}, {"dst", "haidong"}, {"method", "icmp"}, {"sla_class", "metro"}}};
  std::vector<std::string> exprs;
  for (const auto &[file, dashboard] : Dashboards()) {
    auto queries = ExtractQueries(dashboard, file);
    ASSERT_TRUE(queries.has_value()) << queries.error().message;
    for (const DashboardQuery &query : *queries) {
      for (const auto &values : choices) {
        const std::string expr = query.kind == DashboardQuery::Kind::kVariable
                                     ? VariableQuerySelector(query.expr)
                                     : query.expr;
        exprs.push_back(SubstituteVariables(expr, values));
        EXPECT_TRUE(VariablesUsed(exprs.back()).empty()) << exprs.back();
      }
    }
  }
  ASSERT_GE(exprs.size(), 60u);  // 4 dashboards, dozens of queries
  const auto result = PromtoolCheckRules("valid", RuleFile(exprs));
  if (result.exit_code == -1 && !result.timed_out) GTEST_SKIP() << "promtool not found";
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("SUCCESS: " + std::to_string(exprs.size()) + " rules found"),
            std::string::npos)
      << result.output;
}

// The check above can fail: a query with a missing bracket is refused by the
// same route.
TEST(GrafanaDashboardsTest, PromtoolRefusesABrokenQuery) {
  const auto result = PromtoolCheckRules(
      "broken", RuleFile({"linkmon_path_rtt_p99_seconds{src=~\".*\"}",
                          "max by (src) (rate(linkmon_path_sla_bad_seconds_total[5m])"}));
  if (result.exit_code == -1 && !result.timed_out) GTEST_SKIP() << "promtool not found";
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("parse error"), std::string::npos) << result.output;
}

TEST(GrafanaDashboardsTest, SubstitutionCoversEveryGrafanaSpelling) {
  EXPECT_EQ(
      SubstituteVariables("a{src=~\"$src\",dst=\"${dst}\",m=\"[[method]]\"}[$__rate_interval]",
                          {{"dst", "haidong"}}),
      "a{src=~\".*\",dst=\"haidong\",m=\".*\"}[1m]");
  EXPECT_EQ(SubstituteVariables("${sla_class:regex} $__range", {}), ".* 1h");
  EXPECT_EQ(VariablesUsed("x{a=\"$src\"} [[dst]] ${method:csv} $__range"),
            (std::set<std::string>{"src", "dst", "method", "__range"}));
  EXPECT_EQ(VariableQuerySelector("label_values(linkmon_path_sla_state{src=~\"$src\"}, dst)"),
            "linkmon_path_sla_state{src=~\"$src\"}");
}

// Every linkmon metric a query names is exported by some linkmon code (its name appears quoted in
// a source file of collector/, probe/ or exporters/) or recorded by dashboards/prometheus/: a
// renamed metric breaks this test, not silently the dashboard.
std::set<std::string> KnownMetricNames() {
  std::set<std::string> names;
  const std::regex quoted("\"(linkmon_[a-z0-9_]+)\"");
  for (const char *folder : {"collector", "probe", "exporters"}) {
    for (const auto &entry : std::filesystem::recursive_directory_iterator(
             std::filesystem::path(LINKMON_SOURCE_DIR) / folder)) {
      if (entry.path().extension() != ".cpp" && entry.path().extension() != ".h") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string source = text.str();
      for (auto it = std::sregex_iterator(source.begin(), source.end(), quoted);
           it != std::sregex_iterator(); ++it) {
        names.insert((*it)[1]);
      }
    }
  }
  for (const char *file : {"linkmon-slo.rules.yml", "linkmon-dashboard.rules.yml"}) {
    const YAML::Node rules =
        YAML::LoadFile(std::string(LINKMON_SOURCE_DIR) + "/dashboards/prometheus/" + file);
    for (const YAML::Node &group : rules["groups"]) {
      for (const YAML::Node &rule : group["rules"]) {
        if (rule["record"]) names.insert(rule["record"].as<std::string>());
      }
    }
  }
  return names;
}

TEST(GrafanaDashboardsTest, EveryMetricQueriedIsExportedOrRecorded) {
  const std::set<std::string> known = KnownMetricNames();
  ASSERT_TRUE(known.contains("linkmon_path_sla_state"));
  ASSERT_TRUE(known.contains("linkmon_path:sla_burn_rate:1h"));
  const std::regex metric("linkmon_[a-z0-9_:]+");
  std::size_t checked = 0;
  for (const auto &[file, dashboard] : Dashboards()) {
    auto queries = ExtractQueries(dashboard, file);
    ASSERT_TRUE(queries.has_value()) << queries.error().message;
    for (const DashboardQuery &query : *queries) {
      for (auto it = std::sregex_iterator(query.expr.begin(), query.expr.end(), metric);
           it != std::sregex_iterator(); ++it) {
        ++checked;
        EXPECT_TRUE(known.contains(it->str())) << file << ": '" << query.panel_title << "' queries "
                                               << it->str() << ", which nothing exports or records";
      }
    }
  }
  EXPECT_GE(checked, 50u);
}

TEST(GrafanaDashboardsTest, TheDashboardProviderLoadsFiles) {
  const YAML::Node file =
      YAML::LoadFile((kGrafana / "provisioning/dashboards/linkmon.yaml").string());
  ASSERT_TRUE(file["providers"].IsSequence());
  ASSERT_EQ(file["providers"].size(), 1u);
  EXPECT_EQ(file["providers"][0]["type"].as<std::string>(), "file");
  EXPECT_FALSE(file["providers"][0]["options"]["path"].as<std::string>().empty());
}

}  // namespace
}  // namespace linkmon::dashboards
