#include "tests/dashboards/prometheus_query.h"

#include <nlohmann/json.hpp>

#include "tests/support/http_client.h"

namespace linkmon::dashboards {
namespace {

std::string UnixSeconds(std::chrono::system_clock::time_point time) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count());
}

}  // namespace

std::string FormEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
        (byte >= '0' && byte <= '9') || byte == '-' || byte == '_' || byte == '.' || byte == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

Result<std::size_t> CountSeries(const PrometheusQueryOptions& options, const std::string& expr,
                                bool instant) {
  const auto now = std::chrono::system_clock::now();
  std::string target = "/api/v1/query";
  std::string body = "query=" + FormEncode(expr);
  if (instant) {
    body += "&time=" + UnixSeconds(now);
  } else {
    target = "/api/v1/query_range";
    body += "&start=" + UnixSeconds(now - options.range) + "&end=" + UnixSeconds(now) +
            "&step=" + std::to_string(options.step.count());
  }
  const auto answer = testing::HttpExchange(
      options.endpoint, boost::beast::http::verb::post, target,
      {{"Content-Type", "application/x-www-form-urlencoded"}}, body, options.timeout);
  if (answer.status == 0) {
    return MakeError(ErrorCode::kUnavailable, "prometheus " + target + ": " + answer.body);
  }
  const nlohmann::json parsed = nlohmann::json::parse(answer.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return MakeError(ErrorCode::kParse, "prometheus " + target + ": HTTP " +
                                            std::to_string(answer.status) + ", not JSON");
  }
  if (parsed.value("status", "") != "success") {
    return MakeError(ErrorCode::kParse,
                     "prometheus " + target + ": HTTP " + std::to_string(answer.status) + " " +
                         parsed.value("errorType", "") + ": " + parsed.value("error", ""));
  }
  const nlohmann::json data = parsed.value("data", nlohmann::json::object());
  // A scalar or string answer ([time, "value"]) is one value, not a list of series.
  const std::string type = data.value("resultType", "");
  if (type == "scalar" || type == "string") return std::size_t{1};
  const nlohmann::json result = data.value("result", nlohmann::json::array());
  return result.is_array() ? result.size() : std::size_t{0};
}

}  // namespace linkmon::dashboards
