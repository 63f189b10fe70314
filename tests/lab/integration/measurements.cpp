#include "tests/lab/integration/measurements.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace linkmon::lab::testing {

std::vector<double> FpingSeries::Received() const {
  std::vector<double> out;
  for (const auto& rtt : rtt_ms) {
    if (rtt) out.push_back(*rtt);
  }
  return out;
}

std::size_t FpingSeries::lost() const {
  return static_cast<std::size_t>(std::count(rtt_ms.begin(), rtt_ms.end(), std::nullopt));
}

std::optional<FpingSeries> ParseFpingCounts(const std::string& output, const std::string& target) {
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string first, colon;
    if (!(words >> first >> colon) || first != target || colon != ":") continue;
    FpingSeries series;
    int min_decimals = 99;
    std::string word;
    bool per_packet_line = false;
    while (words >> word) {
      if (word == "-") {
        series.rtt_ms.push_back(std::nullopt);
        continue;
      }
      if (word.front() == '[') {  // a per-packet line ("[3], 64 bytes, ..."), not the summary
        per_packet_line = true;
        break;
      }
      const auto dot = word.find('.');
      min_decimals = std::min<int>(
          min_decimals, dot == std::string::npos ? 0 : static_cast<int>(word.size() - dot - 1));
      series.rtt_ms.push_back(std::stod(word));
    }
    if (per_packet_line || series.rtt_ms.empty()) continue;
    series.quantum_ms = min_decimals == 99 ? 0.0 : std::pow(10.0, -min_decimals);
    return series;
  }
  return std::nullopt;
}

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

CountInterval Binomial99(std::int64_t n, double p) {
  // Cumulative probabilities through log-space terms; n is at most a few hundred thousand.
  std::vector<double> cdf(static_cast<std::size_t>(n) + 1);
  double cumulative = 0;
  for (std::int64_t k = 0; k <= n; ++k) {
    const double log_term =
        std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(k) + 1) -
        std::lgamma(static_cast<double>(n - k) + 1) +
        (p > 0 ? static_cast<double>(k) * std::log(p) : (k == 0 ? 0 : -INFINITY)) +
        (p < 1 ? static_cast<double>(n - k) * std::log1p(-p) : (k == n ? 0 : -INFINITY));
    cumulative += std::exp(log_term);
    cdf[static_cast<std::size_t>(k)] = cumulative;
  }
  CountInterval interval{0, n};
  while (interval.low < n && cdf[static_cast<std::size_t>(interval.low)] <= 0.005) ++interval.low;
  while (interval.high > 0 && 1.0 - cdf[static_cast<std::size_t>(interval.high - 1)] <= 0.005) {
    --interval.high;
  }
  return interval;
}

std::vector<int> LossBursts(const std::vector<bool>& lost) {
  std::vector<int> bursts;
  int run = 0;
  for (bool packet_lost : lost) {
    if (packet_lost) {
      ++run;
    } else if (run > 0) {
      bursts.push_back(run);
      run = 0;
    }
  }
  if (run > 0) bursts.push_back(run);
  return bursts;
}

MeanSd MeanAndSd(const std::vector<double>& values) {
  MeanSd out;
  if (values.empty()) return out;
  double sum = 0;
  for (double v : values) sum += v;
  out.mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - out.mean) * (v - out.mean);
  out.sd = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0;
  return out;
}

std::optional<IrttRun> ParseIrtt(const nlohmann::json& json) {
  if (!json.contains("stats") || !json.contains("round_trips")) return std::nullopt;
  IrttRun run;
  const auto& stats = json["stats"];
  run.packets_sent = stats.value("packets_sent", 0);
  run.server_packets_received = stats.value("server_packets_received", 0);
  run.packets_received = stats.value("packets_received", 0);
  run.duplicates = stats.value("duplicates", 0);
  run.late_packets = stats.value("late_packets", 0);
  for (const auto& trip : json["round_trips"]) {
    const std::string lost = trip.value("lost", std::string("false"));
    run.lost_up.push_back(lost == "true_up");
    if (trip.contains("delay") && trip["delay"].contains("rtt")) {
      run.rtt_ms.push_back(trip["delay"]["rtt"].get<double>() / 1e6);
    }
  }
  return run;
}

}  // namespace linkmon::lab::testing
