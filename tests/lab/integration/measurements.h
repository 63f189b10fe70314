#pragma once

// Reading the real tools' output (fping, irtt, iperf3) and the statistics the lab tests judge
// them by. Pure functions, no processes.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace linkmon::lab::testing {

// One target's results from `fping -C N -q`: "10.77.2.2 : 12.1 12.0 - 12.2" (ms, "-" = lost).
struct FpingSeries {
  std::vector<std::optional<double>> rtt_ms;  // in send order; nullopt = lost
  // fping prints RTTs with 3 significant digits: 0.001 ms below 1 ms, 0.01 below 10, 0.1 below
  // 100. The coarsest step among the values, so that bounds can allow for the rounding.
  double quantum_ms = 0.0;

  std::vector<double> Received() const;
  std::size_t lost() const;
};

// The series for `target` in fping's output, or nullopt if fping printed none.
std::optional<FpingSeries> ParseFpingCounts(const std::string& output, const std::string& target);

// Nearest-rank percentile (q in [0, 1]) of unsorted values.
double Percentile(std::vector<double> values, double q);

// The central 99 % interval of Binomial(n, p): the counts k_low..k_high with
// P(X < k_low) <= 0.5 % and P(X > k_high) <= 0.5 %.
struct CountInterval {
  std::int64_t low = 0;
  std::int64_t high = 0;
};
CountInterval Binomial99(std::int64_t n, double p);

// Lengths of the runs of consecutive losses in a series.
std::vector<int> LossBursts(const std::vector<bool>& lost);

// Mean and sample standard deviation.
struct MeanSd {
  double mean = 0;
  double sd = 0;
};
MeanSd MeanAndSd(const std::vector<double>& values);

// irtt's JSON (-o file.json): RTTs in ms of the replies, and per round trip whether the request
// was lost on the way up ("true_up"), on the way down ("true_down"), or either ("true").
struct IrttRun {
  std::vector<double> rtt_ms;
  std::vector<bool> lost_up;
  std::int64_t packets_sent = 0;
  std::int64_t server_packets_received = 0;
  std::int64_t packets_received = 0;
  std::int64_t duplicates = 0;
  std::int64_t late_packets = 0;
};
std::optional<IrttRun> ParseIrtt(const nlohmann::json& json);

}  // namespace linkmon::lab::testing
