// Added delay as fping and irtt (tools nobody here wrote) measure it across the 6 ms and 10 ms
// links of lt3: the median within 100 us of the configured RTT and the 99th percentile within
// 500 us, with fping at 10,000 echoes a second (20,000 packets/s through the emulator).
//
// "Added delay" is the RTT over the link minus the median RTT over the same path with the delay
// set to 0: what the tools and the kernel add on their own is not the emulator's error. The tools
// run at SCHED_FIFO (below the emulator) so that their own sending is not what a busy machine
// delays. A machine whose hypervisor stalls every CPU for milliseconds cannot meet a 500 us p99
// in any user-space emulator; each figure gets three attempts, and every attempt is reported.

#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/lab/integration/lab_fixture.h"
#include "tests/lab/integration/measurements.h"

namespace linkmon::lab::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr double kMedianBoundUs = 100;
constexpr double kP99BoundUs = 500;
constexpr int kAttempts = 3;

struct DelayFigures {
  double median_error_us = NAN;  // median added delay minus configured RTT
  double p99_error_us = NAN;     // 99th percentile added delay minus configured RTT
  double rounding_us = 0;        // how much the tool's printed precision can hide
  std::size_t samples = 0;
  bool Meets() const {
    return std::abs(median_error_us) + rounding_us <= kMedianBoundUs &&
           p99_error_us + rounding_us <= kP99BoundUs;
  }
  std::string ToString() const {
    return fmt::format("median {:+.0f} us, p99 {:+.0f} us (tool rounding +-{:.0f} us), {} samples",
                       median_error_us, p99_error_us, rounding_us, samples);
  }
};

class DelayTest : public LabTest {
 protected:
  void SetUp() override { Up("lt3.yaml"); }

  // fping from Xining: `count` echoes at `per_second`.
  std::optional<FpingSeries> Fping(const std::string& target, int count, int per_second) {
    const double period_ms = 1000.0 / per_second;
    const CommandResult ping =
        InSite("xining", {"chrt", "-f", "10", "fping", "-C", std::to_string(count), "-p",
                          fmt::format("{:.3f}", period_ms), "-i", "0.05", "-t", "500", "-q",
                          target},
               seconds(60));
    auto series = ParseFpingCounts(ping.output, target);
    EXPECT_TRUE(series.has_value()) << ping.output.substr(0, 2000);
    return series;
  }

  DelayFigures FpingAddedDelay(const std::string& site, const std::string& target,
                               double one_way_ms) {
    const std::string delay = fmt::format("delay={}ms", one_way_ms);
    SetBoth("xining", site, {"delay=0ms"});
    const auto baseline = Fping(target, 3000, 10'000);
    SetBoth("xining", site, {delay});
    const auto measured = Fping(target, 10'000, 10'000);
    if (!baseline || !measured) return {};
    const double base_ms = Percentile(baseline->Received(), 0.5);
    const std::vector<double> rtt = measured->Received();
    return DelayFigures{
        .median_error_us = (Percentile(rtt, 0.5) - base_ms - 2 * one_way_ms) * 1000,
        .p99_error_us = (Percentile(rtt, 0.99) - base_ms - 2 * one_way_ms) * 1000,
        .rounding_us = (measured->quantum_ms + baseline->quantum_ms) / 2 * 1000,
        .samples = rtt.size()};
  }

  // irtt from Xining to a server in `site`, one request every `interval`, for `duration`.
  std::optional<IrttRun> Irtt(const std::string& target, const std::string& interval,
                              const std::string& duration) {
    char path[] = "/tmp/linkmon-lab-irtt-XXXXXX.json";
    const int fd = mkstemps(path, 5);
    close(fd);
    const CommandResult client =
        InSite("xining", {"chrt", "-f", "10", "irtt", "client", "-Q", "-i", interval, "-d",
                          duration, "--fill=none", "-o", path, target + ":2112"},
               seconds(60));
    std::ifstream file(path);
    auto json = nlohmann::json::parse(file, nullptr, false);
    std::filesystem::remove(path);
    EXPECT_EQ(client.exit_code, 0) << client.output;
    if (json.is_discarded()) return std::nullopt;
    return ParseIrtt(json);
  }

  DelayFigures IrttAddedDelay(const std::string& site, const std::string& target,
                              double one_way_ms) {
    SetBoth("xining", site, {"delay=0ms"});
    const auto baseline = Irtt(target, "1ms", "1500ms");
    SetBoth("xining", site, {fmt::format("delay={}ms", one_way_ms)});
    const auto measured = Irtt(target, "1ms", "3s");
    if (!baseline || !measured) return {};
    const double base_ms = Percentile(baseline->rtt_ms, 0.5);
    return DelayFigures{
        .median_error_us = (Percentile(measured->rtt_ms, 0.5) - base_ms - 2 * one_way_ms) * 1000,
        .p99_error_us = (Percentile(measured->rtt_ms, 0.99) - base_ms - 2 * one_way_ms) * 1000,
        .rounding_us = 0,
        .samples = measured->rtt_ms.size()};
  }

  // Runs `measure` until it meets both bounds, at most kAttempts times; reports every attempt.
  void ExpectWithinBounds(const std::string& what, const std::function<DelayFigures()>& measure) {
    std::string attempts;
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      const DelayFigures figures = measure();
      attempts += fmt::format("  attempt {}: {}\n", attempt, figures.ToString());
      std::printf("%s attempt %d: %s\n", what.c_str(), attempt, figures.ToString().c_str());
      RecordProperty(fmt::format("{}_attempt{}", what, attempt), figures.ToString());
      if (figures.samples > 0 && figures.Meets()) return;
    }
    ADD_FAILURE() << what << ": no attempt within median +-" << kMedianBoundUs << " us and p99 +"
                  << kP99BoundUs << " us:\n"
                  << attempts;
  }
};

TEST_F(DelayTest, FpingAt10kEchoesPerSecondAcross6msLink) {
  ExpectWithinBounds("fping_6ms", [&] { return FpingAddedDelay("beijing", "10.77.2.2", 6); });
}

TEST_F(DelayTest, FpingAt10kEchoesPerSecondAcross10msLinkOverIpv6) {
  ExpectWithinBounds("fping_10ms_ipv6",
                     [&] { return FpingAddedDelay("shanghai", "fd00:6c6d:0:3::2", 10); });
}

TEST_F(DelayTest, IrttAcross6msAnd10msLinks) {
  StartInSite("beijing", {"irtt", "server", "-b", "10.77.2.2:2112", "-i", "0", "--timeout=30s"});
  StartInSite("shanghai", {"irtt", "server", "-b", "10.77.3.2:2112", "-i", "0", "--timeout=30s"});
  std::this_thread::sleep_for(milliseconds(300));
  ExpectWithinBounds("irtt_6ms", [&] { return IrttAddedDelay("beijing", "10.77.2.2", 6); });
  ExpectWithinBounds("irtt_10ms", [&] { return IrttAddedDelay("shanghai", "10.77.3.2", 10); });
}

TEST_F(DelayTest, IrttWhile18kPacketsPerSecondCrossTheEmulatorBesideIt) {
  StartInSite("beijing", {"irtt", "server", "-b", "10.77.2.2:2112", "-i", "0", "--timeout=30s"});
  std::this_thread::sleep_for(milliseconds(300));
  ExpectWithinBounds("irtt_6ms_loaded", [&] {
    // 9,000 echoes/s between Beijing and Shanghai: 18,000 packets/s through the emulator, plus
    // irtt's 2,000, for as long as irtt measures.
    BackgroundProcess& load = StartInSite(
        "beijing", {"fping", "-C", "40000", "-p", "0.111", "-i", "0.05", "-q", "10.77.3.2"});
    const DelayFigures figures = IrttAddedDelay("beijing", "10.77.2.2", 6);
    kill(load.pid(), SIGTERM);
    return figures;
  });
}

}  // namespace
}  // namespace linkmon::lab::testing
