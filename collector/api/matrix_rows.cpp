#include "collector/api/matrix_rows.h"

#include "collector/api/json_writer.h"
#include "collector/api/query_params.h"

namespace linkmon::api {

MatrixRows::MatrixRows(const sla::PathStates& states, std::size_t window_index)
    : states_(states), window_index_(window_index) {}

void MatrixRows::RenderRow(const sla::TrackedPath& path, Row& row) const {
  const windows::WindowStats* stats =
      window_index_ < path.windows.size() ? &path.windows[window_index_] : nullptr;
  row.text.clear();
  JsonWriter json(row.text);
  json.Raw(R"({"src":)");
  json.String(path.key.source.str());
  json.Raw(R"(,"dst":)");
  json.String(path.key.target.str());
  json.Raw(R"(,"method":)");
  json.String(MethodName(path.key.method));
  json.Raw(R"(,"sla_class":)");
  json.String(path.sla_class.name.str());
  json.Raw(R"(,"sla_state":")");
  row.state_at = static_cast<std::uint32_t>(row.text.size());
  json.Raw(R"(","rtt_p50_seconds":)");
  json.Seconds(stats ? stats->rtt_p50 : std::nullopt);
  json.Raw(R"(,"rtt_p95_seconds":)");
  json.Seconds(stats ? stats->rtt_p95 : std::nullopt);
  json.Raw(R"(,"rtt_p99_seconds":)");
  json.Seconds(stats ? stats->rtt_p99 : std::nullopt);
  json.Raw(R"(,"loss_ratio":)");
  json.Number(stats && stats->loss ? std::optional<double>(stats->loss->value) : std::nullopt);
  json.Raw(R"(,"jitter_seconds":)");
  json.Seconds(stats ? stats->jitter : std::nullopt);
  json.Raw(R"(,"throughput_bits_per_second":)");
  if (stats && stats->throughput) {
    json.Unsigned(stats->throughput->bits_per_second);
  } else {
    json.Null();
  }
  json.Raw(R"(,"data_age_seconds":)");
  row.age_at = static_cast<std::uint32_t>(row.text.size());
  json.Raw(R"(,"last_data_time":)");
  if (path.last_data_end) {
    json.String(FormatTime(*path.last_data_end));
  } else {
    json.Null();
  }
  json.Raw(R"(,"open_breach":)");
  json.Bool(path.breaches.open() != nullptr);
  json.Raw("}");
  row.version = states_.version();
  row.data_end = path.last_data_end;
  row.rendered = true;
}

void MatrixRows::Append(std::string& out, std::span<const sla::TrackedPath> paths,
                        std::optional<Method> method, SystemTime now) {
  const std::vector<sla::TrackedPath>& all = states_.paths();
  if (rows_.size() != all.size()) rows_.resize(all.size());
  JsonWriter json(out);
  bool first = true;
  for (const sla::TrackedPath& path : paths) {
    if (method && path.key.method != *method) continue;
    Row& row = rows_[static_cast<std::size_t>(&path - all.data())];
    if (!row.rendered || row.version != states_.version() || row.data_end != path.last_data_end) {
      RenderRow(path, row);
    }
    if (!first) out += ',';
    first = false;
    out.append(row.text, 0, row.state_at);
    out += sla::PathStateName(states_.StateAt(path, now));
    out.append(row.text, row.state_at, row.age_at - row.state_at);
    json.Seconds(path.DataAge(now));
    out.append(row.text, row.age_at);
  }
}

}  // namespace linkmon::api
