// linkmon-dashboard-queries: the PromQL queries of the Grafana dashboards, for
// scripts and the stack test (dashboards/README.md).
//
//   linkmon-dashboard-queries [--dir DIR] [--set NAME=VALUE ...]
//     prints every query, one JSON object per line, variables filled in:
//       {"file":..., "dashboard":..., "kind":"panel|annotation|variable",
//        "title":..., "ref_id":..., "instant": bool,
//        "expr": <substituted PromQL>, "raw_expr": <as written>,
//        "empty_allowed": <why it may return no data> | null}
//     Variables without --set become ".*" (Grafana's "All" in these
//     dashboards); variable queries (label_values(SELECTOR, label)) are given
//     as their SELECTOR.
//
//   linkmon-dashboard-queries [--dir DIR] --check HOST:PORT
//       --view NAME:VAR=VALUE,... [--view ...] [--range-seconds N]
//     asks the Prometheus at HOST:PORT (an IPv4 address) every query in every
//     view (instant queries at now, the others over the last N s, 600 by
//     default), prints one line per query (pass, empty-ok, FAIL, REFUSED) and
//     exits 1 when a query returned no data in any view without an allow-list
//     reason, or was refused (query_check.h).

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <iostream>
#include <map>
#include <string>

#include "tests/dashboards/dashboard_queries.h"
#include "tests/dashboards/prometheus_query.h"
#include "tests/dashboards/query_check.h"

namespace {

using namespace linkmon::dashboards;

constexpr std::string_view kUsage =
    "usage: linkmon-dashboard-queries [--dir DIR] [--set NAME=VALUE ...]\n"
    "       linkmon-dashboard-queries [--dir DIR] --check HOST:PORT --view NAME:VAR=VALUE,... "
    "[--view ...] [--range-seconds N]\n";

struct Arguments {
  std::string dir = std::string(LINKMON_SOURCE_DIR) + "/dashboards/grafana/dashboards";
  std::map<std::string, std::string> values;
  std::string prometheus;  // --check
  std::vector<QueryView> views;
  std::chrono::seconds range{600};
};

// nullopt (after printing why) on bad arguments.
std::optional<Arguments> ParseArguments(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--dir" && has_value) {
      args.dir = argv[++i];
    } else if (arg == "--set" && has_value) {
      const std::string assignment = argv[++i];
      const auto equals = assignment.find('=');
      if (equals == std::string::npos) {
        std::cerr << "linkmon-dashboard-queries: --set wants NAME=VALUE, got " << assignment
                  << "\n";
        return std::nullopt;
      }
      args.values[assignment.substr(0, equals)] = assignment.substr(equals + 1);
    } else if (arg == "--check" && has_value) {
      args.prometheus = argv[++i];
    } else if (arg == "--view" && has_value) {
      auto view = ParseQueryView(argv[++i]);
      if (!view) {
        std::cerr << "linkmon-dashboard-queries: " << view.error().message << "\n";
        return std::nullopt;
      }
      args.views.push_back(std::move(*view));
    } else if (arg == "--range-seconds" && has_value) {
      const std::string_view text = argv[++i];
      int seconds = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
      if (ec != std::errc() || end != text.data() + text.size() || seconds <= 0) {
        std::cerr << "linkmon-dashboard-queries: --range-seconds wants a positive number, got "
                  << text << "\n";
        return std::nullopt;
      }
      args.range = std::chrono::seconds(seconds);
    } else {
      std::cerr << kUsage;
      return std::nullopt;
    }
  }
  if (!args.prometheus.empty() && args.views.empty()) {
    std::cerr << "linkmon-dashboard-queries: --check needs at least one --view\n" << kUsage;
    return std::nullopt;
  }
  return args;
}

std::optional<boost::asio::ip::tcp::endpoint> ParseEndpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address_v4(text.substr(0, colon), ec);
  const std::string port = text.substr(colon + 1);
  if (ec || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    return std::nullopt;
  }
  return boost::asio::ip::tcp::endpoint(address, static_cast<unsigned short>(std::stoi(port)));
}

void PrintQueries(const std::vector<DashboardQuery>& queries,
                  const std::map<std::string, std::string>& values) {
  for (const DashboardQuery& query : queries) {
    const auto allowed = EmptyAllowedReason(query);
    nlohmann::json line = {{"file", query.file},
                           {"dashboard", query.dashboard},
                           {"kind", KindName(query.kind)},
                           {"title", query.panel_title},
                           {"ref_id", query.ref_id},
                           {"instant", query.instant},
                           {"expr", SubstituteVariables(PromQlOf(query), values)},
                           {"raw_expr", query.expr},
                           {"empty_allowed", allowed ? nlohmann::json(std::string(*allowed))
                                                     : nlohmann::json(nullptr)}};
    std::cout << line.dump() << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = ParseArguments(argc, argv);
  if (!args) return 2;
  auto dashboards = LoadDashboards(args->dir);
  if (!dashboards) {
    std::cerr << "linkmon-dashboard-queries: " << dashboards.error().message << "\n";
    return 1;
  }
  std::vector<DashboardQuery> queries;
  for (const auto& [file, dashboard] : *dashboards) {
    auto extracted = ExtractQueries(dashboard, file);
    if (!extracted) {
      std::cerr << "linkmon-dashboard-queries: " << extracted.error().message << "\n";
      return 1;
    }
    queries.insert(queries.end(), extracted->begin(), extracted->end());
  }
  if (args->prometheus.empty()) {
    PrintQueries(queries, args->values);
    return 0;
  }
  const auto endpoint = ParseEndpoint(args->prometheus);
  if (!endpoint) {
    std::cerr << "linkmon-dashboard-queries: --check wants IPV4:PORT, got " << args->prometheus
              << "\n";
    return 2;
  }
  const PrometheusQueryOptions options{.endpoint = *endpoint, .range = args->range};
  const auto results = CheckQueries(
      queries, args->views,
      [&](const std::string& expr, bool instant) { return CountSeries(options, expr, instant); });
  return ReportQueryResults(results, std::cout) ? 0 : 1;
}
