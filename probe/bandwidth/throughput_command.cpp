#include "probe/bandwidth/throughput_command.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "probe/bandwidth/throughput_test.h"

namespace linkmon::bandwidth {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

double Seconds(std::chrono::nanoseconds value) { return static_cast<double>(value.count()) / 1e9; }

// "host", "host:port", "[v6]:port", or a bare IPv6 address.
Result<std::pair<boost::asio::ip::address, std::uint16_t>> ParseTarget(const std::string& text) {
  std::string host = text;
  std::uint16_t port = 862;
  const auto colon = text.rfind(':');
  const bool bracketed = !text.empty() && text[0] == '[';
  if (bracketed || (colon != std::string::npos && text.find(':') == colon)) {
    const auto close = text.find(']');
    if (bracketed && close == std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "--target: missing ']'");
    }
    host = bracketed ? text.substr(1, close - 1) : text.substr(0, colon);
    // After "]:" or ":"; "[v6]" alone keeps the default port.
    const std::size_t port_start = bracketed ? close + 2 : colon + 1;
    if (port_start <= text.size() && (!bracketed || close + 1 < text.size())) {
      if (bracketed && text[close + 1] != ':') {
        return MakeError(ErrorCode::kInvalidArgument, "--target: expected ':' after ']'");
      }
      try {
        const unsigned long value = std::stoul(text.substr(port_start));
        if (value == 0 || value > 65535) throw std::out_of_range("port");
        port = static_cast<std::uint16_t>(value);
      } catch (const std::exception&) {
        return MakeError(ErrorCode::kInvalidArgument, "--target: bad port in '" + text + "'");
      }
    }
  }
  boost::system::error_code error;
  auto address = boost::asio::ip::make_address(host, error);
  if (error) {
    return MakeError(ErrorCode::kInvalidArgument, "--target: '" + host + "' is not an address");
  }
  return std::pair{address, port};
}

nlohmann::json ResultJson(const ThroughputResult& result) {
  nlohmann::json json = {{"mode", result.mode == TestMode::kUdp ? "udp" : "tcp"},
                         {"granted_rate_bits_per_second", result.grant.rate.bits_per_second},
                         {"goodput_bits_per_second", result.goodput.bits_per_second},
                         {"sent_bytes", result.sent_bytes},
                         {"send_seconds", Seconds(result.send_time)},
                         {"received_bytes", result.report.bytes},
                         {"receive_seconds", Seconds(result.report.arrival_span)},
                         {"bytes_above_rate", result.report.bytes_above_rate}};
  if (result.mode == TestMode::kUdp) {
    json["sent_datagrams"] = result.sent_datagrams;
    json["received_datagrams"] = result.report.datagrams;
    json["loss_ratio"] = result.loss_ratio;
    json["duplicates"] = result.report.duplicates;
    json["out_of_order"] = result.report.out_of_order;
    nlohmann::json rtt = {{"count", result.rtt_under_load.Count()}};
    if (!result.rtt_under_load.Empty()) {
      rtt["min"] = Seconds(*result.rtt_under_load.Min());
      rtt["max"] = Seconds(*result.rtt_under_load.Max());
      for (auto [name, q] : {std::pair{"p50", 0.5}, {"p99", 0.99}}) {
        if (auto estimate = result.rtt_under_load.Quantile(q)) rtt[name] = Seconds(estimate->value);
      }
    }
    json["rtt_under_load_seconds"] = rtt;
  } else {
    nlohmann::json series = nlohmann::json::array();
    for (Bandwidth sample : result.goodput_series) series.push_back(sample.bits_per_second);
    json["goodput_series_bits_per_second"] = series;
  }
  return json;
}

}  // namespace

int RunThroughputCommand(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"Run one throughput test against a linkmon reflector and print what it achieved.",
               "linkmon-probe measure --method throughput"};
  std::string method = "throughput";
  std::string target;
  std::string key_file;
  std::string mode = "udp";
  std::string rate = "10Mbps";
  std::string duration = "5s";
  int size = 1400;
  bool json = false;
  app.add_option("--method", method, "throughput");
  app.add_option("--target", target, "HOST[:PORT] of the reflector (default port 862)")->required();
  app.add_option("--key-file", key_file, "The reflector's key (hex, mode 600)")->required();
  app.add_option("--mode", mode, "udp (target rate) or tcp (bulk)")->capture_default_str();
  app.add_option("--rate", rate, "Rate cap: IP packets plus link header (\"100Mbps\")")
      ->capture_default_str();
  app.add_option("--duration", duration, "Length of the test (\"5s\")")->capture_default_str();
  app.add_option("--size", size, "UDP payload bytes per datagram (20-65000)")
      ->capture_default_str();
  app.add_flag("--json", json, "Print one JSON object");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? 0 : kExitUsage;
  }
  ThroughputTestOptions options;
  auto parsed_target = ParseTarget(target);
  auto parsed_rate = ParseBandwidth(rate);
  auto parsed_duration = ParseDuration(duration);
  std::string problem;
  if (method != "throughput") problem = "--method must be throughput";
  if (!parsed_target) problem = parsed_target.error().message;
  if (!parsed_rate) problem = "--rate: " + parsed_rate.error().message;
  if (!parsed_duration) problem = "--duration: " + parsed_duration.error().message;
  if (mode != "udp" && mode != "tcp") problem = "--mode must be udp or tcp";
  if (size < 20 || size > 65000) problem = "--size must be 20-65000";
  if (!problem.empty()) {
    err << "linkmon-probe measure: " << problem << "\n";
    return kExitUsage;
  }
  options.target = parsed_target->first;
  options.port = parsed_target->second;
  options.mode = mode == "udp" ? TestMode::kUdp : TestMode::kTcp;
  options.rate = *parsed_rate;
  options.duration = std::chrono::duration_cast<std::chrono::milliseconds>(*parsed_duration);
  options.datagram_bytes = static_cast<std::uint16_t>(size);
  auto key = stamp::HmacKey::LoadFile(key_file);
  if (!key) {
    err << "linkmon-probe measure: " << key.error().message << "\n";
    return kExitFailed;
  }
  auto result = RunThroughputTest(options, *key);
  if (!result) {
    err << "linkmon-probe measure: " << result.error().message << "\n";
    return kExitFailed;
  }
  nlohmann::json report = ResultJson(*result);
  if (json) {
    out << report.dump() << "\n";
  } else {
    out << "throughput " << report["mode"].get<std::string>() << ": goodput "
        << FormatBandwidth(result->goodput) << " (granted " << FormatBandwidth(result->grant.rate)
        << ")\n"
        << report.dump(2) << "\n";
  }
  return 0;
}

}  // namespace linkmon::bandwidth
