// Added delay as fping and irtt (tools nobody here wrote) measure it across the 6 ms and 10 ms
// links of lt3: the median within 100 us of the configured RTT and the 99th percentile within
// 500 us, with fping at 10,000 echoes a second (20,000 packets/s through the emulator).
//
// fping: "added delay" is the RTT to the far site minus the median RTT to the WAN router next
// door (<name>-wan's address on the site's own link), in the same fping run, interleaved. That
// path crosses the same veth but no emulator, so what fping and the kernel add on their own is not
// counted, and whatever the emulator adds is. fping stamps replies in the kernel and runs at
// SCHED_FIFO (below the emulator), so its own sending is not what a busy machine delays.
//
// irtt takes its timestamps in user space: a reply that wakes a sleeping irtt thread costs it
// some 50 us a direction on this virtual machine, which a reply from the router next door (back
// before irtt sleeps) does not. Its reference is therefore a 1 ms link through the emulator in
// the same run (the other far site set to 1 ms), and its added delay is the RTT minus that link's
// median RTT less 2 ms: it measures that the emulator adds the configured difference, with irtt's
// own costs on both sides; fping above measures the absolute figure.
//
// The p99 needs a machine that runs a real-time thread on time. This kernel has no kernel
// preemption ("Dynamic Preempt: none"): when other work keeps both CPUs in the kernel, every
// process, the emulator included, waits milliseconds. A RealtimeLatencyProbe runs during each
// attempt; when its own p99 lateness is over 150 us, or the tool's p99 - median on its reference
// path is over the 500 us bound itself, the attempt's p99 says nothing about the emulator. Each
// figure gets three attempts; it passes when one meets both bounds, fails when an attempt on a
// quiet machine misses either bound or no attempt meets the median, and is skipped, with every
// figure reported, only when every attempt that missed ran on a machine too slow to judge it and
// the median held.

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
// A round trip takes two releases by the emulator besides the tool's own wake-up: a machine that
// wakes a real-time thread more than 150 us late at p99 cannot keep a round trip's p99 in 500 us.
constexpr double kNoisyMachineUs = 150;
constexpr int kAttempts = 3;

struct DelayFigures {
  double median_error_us = NAN;  // median added delay minus configured RTT
  double p99_error_us = NAN;     // 99th percentile added delay minus configured RTT
  double rounding_us = 0;        // how much the tool's printed precision can hide
  double tool_tail_us = NAN;     // p99 - median of the tool on its reference path
  double machine_p99_us = NAN;   // RealtimeLatencyProbe's p99 during the attempt
  std::size_t samples = 0;

  bool MedianMeets() const { return std::abs(median_error_us) + rounding_us <= kMedianBoundUs; }
  bool P99Meets() const { return p99_error_us + rounding_us <= kP99BoundUs; }
  // Too noisy to judge the p99: the machine wakes a real-time thread late, or the tool's own tail
  // on its reference path (what it adds with no configured difference) is already past the bound,
  // as irtt's user-space stamps are when a normal-priority thread waits for a busy CPU.
  bool Noisy() const { return !(machine_p99_us <= kNoisyMachineUs) || tool_tail_us > kP99BoundUs; }
  std::string ToString() const {
    return fmt::format(
        "median {:+.0f} us, p99 {:+.0f} us ({} samples; tool rounding +-{:.0f} us; tool's p99 - "
        "median on its reference path {:.0f} us; real-time thread p99 lateness {:.0f} us)",
        median_error_us, p99_error_us, samples, rounding_us, tool_tail_us, machine_p99_us);
  }
};

// `baseline_ms`: RTTs over the reference path, whose configured RTT is `baseline_configured_ms`.
DelayFigures Judge(const std::vector<double>& baseline_ms, double baseline_quantum_ms,
                   double baseline_configured_ms, const std::vector<double>& rtt_ms,
                   double quantum_ms, double one_way_ms) {
  if (baseline_ms.empty() || rtt_ms.empty()) return {};
  const double base = Percentile(baseline_ms, 0.5) - baseline_configured_ms;
  return DelayFigures{
      .median_error_us = (Percentile(rtt_ms, 0.5) - base - 2 * one_way_ms) * 1000,
      .p99_error_us = (Percentile(rtt_ms, 0.99) - base - 2 * one_way_ms) * 1000,
      .rounding_us = (quantum_ms + baseline_quantum_ms) / 2 * 1000,
      .tool_tail_us = (Percentile(baseline_ms, 0.99) - Percentile(baseline_ms, 0.5)) * 1000,
      .machine_p99_us = NAN,
      .samples = rtt_ms.size()};
}

class DelayTest : public LabTest {
 protected:
  void SetUp() override {
    LabTest::SetUp();
    if (!IsSkipped()) Up("lt3.yaml");
  }

  // fping from Xining to the router next door and to `target`, interleaved, `count` echoes to each
  // at 10,000 a second each.
  DelayFigures FpingAddedDelay(const std::string& site, const std::string& router,
                               const std::string& target, double one_way_ms) {
    SetBoth("xining", site, {fmt::format("delay={}ms", one_way_ms)});
    const CommandResult ping = InSite("xining",
                                      {"chrt", "-f", "10", "fping", "-C", "10000", "-p", "0.1",
                                       "-i", "0.05", "-t", "500", "-q", router, target},
                                      seconds(60));
    const auto baseline = ParseFpingCounts(ping.output, router);
    const auto measured = ParseFpingCounts(ping.output, target);
    EXPECT_TRUE(baseline && measured) << ping.output.substr(0, 2000);
    if (!baseline || !measured) return {};
    return Judge(baseline->Received(), baseline->quantum_ms, 0, measured->Received(),
                 measured->quantum_ms, one_way_ms);
  }

  // irtt from Xining, one request a millisecond for 3 s, to `target` over a `one_way_ms` link and
  // (at the same time) to `reference` over a 1 ms link.
  DelayFigures IrttAddedDelay(const std::string& site, const std::string& target,
                              const std::string& reference_site, const std::string& reference,
                              double one_way_ms) {
    SetBoth("xining", site, {fmt::format("delay={}ms", one_way_ms)});
    SetBoth("xining", reference_site, {"delay=1ms"});
    TempFile baseline_file, measured_file;
    BackgroundProcess& baseline = StartInSite("xining", IrttClient(reference, baseline_file));
    const CommandResult measured = InSite("xining", IrttClient(target, measured_file), seconds(60));
    EXPECT_EQ(measured.exit_code, 0) << measured.output;
    EXPECT_EQ(baseline.Wait(seconds(30)), 0) << baseline.Output();
    const auto base_run = ReadIrtt(baseline_file.path);
    const auto run = ReadIrtt(measured_file.path);
    if (!base_run || !run) return {};
    return Judge(base_run->rtt_ms, 0, 2.0, run->rtt_ms, 0, one_way_ms);
  }

  // irtt takes its timestamps in user space, so a client or server waiting for a CPU adds its
  // wait to the RTT. Go programs must not run at SCHED_FIFO (the runtime's spinning threads then
  // starve the thread holding the work), so irtt gets the strongest normal priority instead.
  void StartIrttServers() {
    StartInSite("beijing", IrttServer("10.77.2.2"));
    StartInSite("shanghai", IrttServer("10.77.3.2"));
    std::this_thread::sleep_for(milliseconds(300));
  }

  // Runs `measure` until an attempt meets both bounds, at most kAttempts times (see the top).
  void ExpectWithinBounds(const std::string& what, const std::function<DelayFigures()>& measure) {
    std::string attempts;
    bool judged_miss = false, median_held = false;
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      RealtimeLatencyProbe probe;
      DelayFigures figures = measure();
      figures.machine_p99_us = probe.StopAndP99Us();
      attempts += fmt::format("  attempt {}: {}\n", attempt, figures.ToString());
      std::printf("%s attempt %d: %s\n", what.c_str(), attempt, figures.ToString().c_str());
      RecordProperty(fmt::format("{}_attempt{}", what, attempt), figures.ToString());
      if (figures.samples == 0) continue;
      median_held = median_held || figures.MedianMeets();
      if (figures.MedianMeets() && figures.P99Meets()) return;
      // A miss counts only on a machine quiet enough to judge: a stalled machine moves even the
      // median of a tool that stamps in user space.
      if (!figures.Noisy()) judged_miss = true;
    }
    if (!judged_miss && median_held) {
      GTEST_SKIP() << what << ": the median held, but every attempt's p99 came from a machine "
                   << "or tool too noisy to judge a " << kP99BoundUs << " us bound:\n"
                   << attempts;
    }
    ADD_FAILURE() << what << ": no attempt within median +-" << kMedianBoundUs << " us and p99 +"
                  << kP99BoundUs << " us:\n"
                  << attempts;
  }

 private:
  struct TempFile {
    TempFile() {
      char name[] = "/tmp/linkmon-lab-irtt-XXXXXX.json";
      close(mkstemps(name, 5));
      path = name;
    }
    ~TempFile() { std::filesystem::remove(path); }
    std::string path;
  };

  static std::vector<std::string> IrttServer(const std::string& address) {
    return {"nice", "-n", "-20",          "irtt", "server", "-b", address + ":2112",
            "-i",   "0",  "--timeout=60s"};
  }

  static std::vector<std::string> IrttClient(const std::string& target, const TempFile& out) {
    return {"nice", "-n", "-20", "irtt",        "client", "-Q",     "-i",
            "1ms",  "-d", "3s",  "--fill=none", "-o",     out.path, target + ":2112"};
  }

  static std::optional<IrttRun> ReadIrtt(const std::string& path) {
    std::ifstream file(path);
    auto json = nlohmann::json::parse(file, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << "irtt wrote no JSON to " << path;
    if (json.is_discarded()) return std::nullopt;
    return ParseIrtt(json);
  }
};

TEST_F(DelayTest, FpingAt10kEchoesPerSecondAcross6msLink) {
  ExpectWithinBounds("fping_6ms",
                     [&] { return FpingAddedDelay("beijing", "10.77.1.1", "10.77.2.2", 6); });
}

TEST_F(DelayTest, FpingAt10kEchoesPerSecondAcross10msLinkOverIpv6) {
  ExpectWithinBounds("fping_10ms_ipv6", [&] {
    return FpingAddedDelay("shanghai", "fd00:6c6d:0:1::1", "fd00:6c6d:0:3::2", 10);
  });
}

TEST_F(DelayTest, IrttAcross6msAnd10msLinks) {
  StartIrttServers();
  ExpectWithinBounds("irtt_6ms", [&] {
    return IrttAddedDelay("beijing", "10.77.2.2", "shanghai", "10.77.3.2", 6);
  });
  ExpectWithinBounds("irtt_10ms", [&] {
    return IrttAddedDelay("shanghai", "10.77.3.2", "beijing", "10.77.2.2", 10);
  });
}

TEST_F(DelayTest, IrttWhile18kPacketsPerSecondCrossTheEmulatorBesideIt) {
  StartIrttServers();
  ExpectWithinBounds("irtt_6ms_loaded", [&] {
    // 9,000 echoes/s between Beijing and Shanghai: 18,000 packets/s through the emulator besides
    // irtt's 2,000, for as long as irtt measures.
    BackgroundProcess& load = StartInSite(
        "beijing", {"fping", "-C", "30000", "-p", "0.111", "-i", "0.05", "-q", "10.77.3.2"});
    const DelayFigures figures = IrttAddedDelay("beijing", "10.77.2.2", "shanghai", "10.77.3.2", 6);
    kill(load.pid(), SIGTERM);
    return figures;
  });
}

}  // namespace
}  // namespace linkmon::lab::testing
