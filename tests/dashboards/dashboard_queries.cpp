#include "tests/dashboards/dashboard_queries.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace linkmon::dashboards {
namespace {

using nlohmann::json;

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// One variable reference found at `pos`: its name and the length of the whole
// reference.
struct Reference {
  std::string name;
  std::size_t length = 0;
};

std::optional<Reference> ReferenceAt(std::string_view text, std::size_t pos) {
  if (text.substr(pos, 2) == "[[") {
    const std::size_t end = text.find("]]", pos + 2);
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view inner = text.substr(pos + 2, end - pos - 2);
    inner = inner.substr(0, inner.find(':'));
    return Reference{std::string(inner), end + 2 - pos};
  }
  if (text[pos] != '$') return std::nullopt;
  if (text.substr(pos, 2) == "${") {
    const std::size_t end = text.find('}', pos + 2);
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view inner = text.substr(pos + 2, end - pos - 2);
    inner = inner.substr(0, inner.find(':'));
    return Reference{std::string(inner), end + 1 - pos};
  }
  std::size_t end = pos + 1;
  while (end < text.size() && IsNameChar(text[end])) ++end;
  if (end == pos + 1) return std::nullopt;
  return Reference{std::string(text.substr(pos + 1, end - pos - 1)), end - pos};
}

const std::map<std::string, std::string> &BuiltIns() {
  static const auto *built_ins = new std::map<std::string, std::string>{
      {"__rate_interval", "1m"}, {"__interval", "15s"}, {"__range", "1h"}, {"__range_s", "3600"}};
  return *built_ins;
}

void AddPanelQueries(const json &panel, const std::string &file, const std::string &uid,
                     std::vector<DashboardQuery> &out, std::optional<Error> &error) {
  const std::string title = panel.value("title", "");
  if (panel.contains("targets")) {
    for (const json &target : panel["targets"]) {
      if (!target.contains("expr") || !target["expr"].is_string() ||
          target["expr"].get<std::string>().empty()) {
        error = Error{ErrorCode::kParse,
                      file + ": panel '" + title + "' has a target without a PromQL expr"};
        return;
      }
      out.push_back({file, uid, DashboardQuery::Kind::kPanel, title, target.value("refId", ""),
                     target["expr"].get<std::string>(),
                     target.value("instant", false) && !target.value("range", false)});
    }
  }
  if (panel.contains("panels")) {  // a row's collapsed panels
    for (const json &inner : panel["panels"]) AddPanelQueries(inner, file, uid, out, error);
  }
}

}  // namespace

std::string_view KindName(DashboardQuery::Kind kind) {
  switch (kind) {
    case DashboardQuery::Kind::kPanel:
      return "panel";
    case DashboardQuery::Kind::kAnnotation:
      return "annotation";
    case DashboardQuery::Kind::kVariable:
      return "variable";
  }
  return "panel";
}

Result<std::vector<DashboardQuery>> ExtractQueries(const json &dashboard, const std::string &file) {
  std::vector<DashboardQuery> queries;
  std::optional<Error> error;
  const std::string uid = dashboard.value("uid", "");
  for (const json &panel : dashboard.value("panels", json::array())) {
    AddPanelQueries(panel, file, uid, queries, error);
    if (error) return tl::unexpected(*error);
  }
  const json annotations =
      dashboard.value("annotations", json::object()).value("list", json::array());
  for (const json &annotation : annotations) {
    if (annotation.contains("expr")) {
      queries.push_back({file, uid, DashboardQuery::Kind::kAnnotation, annotation.value("name", ""),
                         "", annotation["expr"].get<std::string>()});
    }
  }
  const json variables = dashboard.value("templating", json::object()).value("list", json::array());
  for (const json &variable : variables) {
    if (variable.value("type", "") != "query") continue;
    std::string query;
    if (variable["query"].is_string()) {
      query = variable["query"].get<std::string>();
    } else {
      query = variable["query"].value("query", "");
    }
    queries.push_back(
        {file, uid, DashboardQuery::Kind::kVariable, variable.value("name", ""), "", query});
  }
  return queries;
}

Result<std::vector<std::pair<std::string, json>>> LoadDashboards(
    const std::filesystem::path &directory) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator(directory, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) return MakeError(ErrorCode::kIo, directory.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<std::pair<std::string, json>> dashboards;
  for (const auto &path : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return MakeError(ErrorCode::kIo, path.string() + ": cannot read");
    json parsed = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      return MakeError(ErrorCode::kParse, path.string() + ": not valid JSON");
    }
    dashboards.emplace_back(path.filename().string(), std::move(parsed));
  }
  return dashboards;
}

std::set<std::string> VariablesUsed(std::string_view expr) {
  std::set<std::string> names;
  for (std::size_t pos = 0; pos < expr.size();) {
    if (auto reference = ReferenceAt(expr, pos)) {
      names.insert(reference->name);
      pos += reference->length;
    } else {
      ++pos;
    }
  }
  return names;
}

std::set<std::string> VariablesDefined(const json &dashboard) {
  std::set<std::string> names;
  const json variables = dashboard.value("templating", json::object()).value("list", json::array());
  for (const json &variable : variables) names.insert(variable.value("name", ""));
  return names;
}

std::string SubstituteVariables(std::string_view expr,
                                const std::map<std::string, std::string> &values) {
  std::string out;
  for (std::size_t pos = 0; pos < expr.size();) {
    if (auto reference = ReferenceAt(expr, pos)) {
      if (auto it = values.find(reference->name); it != values.end()) {
        out += it->second;
      } else if (auto built_in = BuiltIns().find(reference->name); built_in != BuiltIns().end()) {
        out += built_in->second;
      } else {
        out += ".*";
      }
      pos += reference->length;
    } else {
      out += expr[pos++];
    }
  }
  return out;
}

std::string VariableQuerySelector(std::string_view query) {
  constexpr std::string_view kPrefix = "label_values(";
  if (query.substr(0, kPrefix.size()) != kPrefix || query.empty() || query.back() != ')') {
    return std::string(query);
  }
  const std::string_view inner = query.substr(kPrefix.size(), query.size() - kPrefix.size() - 1);
  const std::size_t comma = inner.rfind(',');
  if (comma == std::string_view::npos) return std::string(inner);  // label_values(label)
  return std::string(inner.substr(0, comma));
}

std::string PromQlOf(const DashboardQuery &query) {
  return query.kind == DashboardQuery::Kind::kVariable ? VariableQuerySelector(query.expr)
                                                       : query.expr;
}

}  // namespace linkmon::dashboards
