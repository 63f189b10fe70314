// Rate: iperf3 TCP through a 100 Mbit/s bottleneck. The rate counts IP bytes, as a WAN circuit
// carries them; TCP's goodput is what is left after its and IP's headers: 1448 of every 1500
// bytes with a 1500-byte MTU (96.5 Mbit/s), 8948 of 9000 with jumbo frames (99.4 Mbit/s).

#include <cmath>
#include <functional>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/lab/integration/lab_fixture.h"

namespace linkmon::lab::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr double kRateBps = 100e6;
constexpr int kTcpIpHeaderBytes = 52;  // IPv4 20 + TCP 20 + timestamps 12

class RateTest : public LabTest {
 protected:
  // Receiver-side goodput of a 5 s iperf3 TCP run (the first second, slow start, left out).
  double Iperf3Goodput() {
    StartInSite("beijing", {"iperf3", "-s", "-1", "-B", "10.77.2.2"});
    std::this_thread::sleep_for(milliseconds(300));
    const CommandResult client =
        InSite("xining", {"iperf3", "-c", "10.77.2.2", "-t", "5", "-O", "1", "-J"}, seconds(30));
    auto json = nlohmann::json::parse(client.output, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << client.output;
    if (json.is_discarded()) return 0;
    return json["end"]["sum_received"]["bits_per_second"].get<double>();
  }

  // Within 3 % of `expected` in one of two runs: the link carries its rate, and a machine that
  // stalls the emulator for milliseconds can make one run fall short.
  void ExpectGoodput(const std::string& what, double expected,
                     const std::function<std::string(double)>& describe) {
    std::string runs;
    for (int run = 1; run <= 2; ++run) {
      const double goodput = Iperf3Goodput();
      const std::string summary = describe(goodput);
      std::printf("%s run %d: %s\n", what.c_str(), run, summary.c_str());
      RecordProperty(fmt::format("{}_run{}", what, run), summary);
      runs += "  " + summary + "\n";
      if (std::abs(goodput - expected) <= 0.03 * expected) return;
    }
    ADD_FAILURE() << what << ": no run within 3% of " << expected / 1e6 << " Mbit/s:\n" << runs;
  }
};

TEST_F(RateTest, Iperf3TcpGetsTheLinkRateLessHeaders) {
  Up("ltrate.yaml");
  const double expected = kRateBps * (1500 - kTcpIpHeaderBytes) / 1500;
  ExpectGoodput("iperf3_mtu1500", expected, [&](double goodput) {
    return fmt::format(
        "{:.2f} Mbit/s goodput, {:.2f} Mbit/s of IP packets, expected goodput {:.2f} ({:+.2f}%)",
        goodput / 1e6, goodput * 1500 / (1500 - kTcpIpHeaderBytes) / 1e6, expected / 1e6,
        (goodput / expected - 1) * 100);
  });
}

TEST_F(RateTest, Iperf3TcpWithin3PercentOfTheRateOverJumboFrames) {
  Up("ltjumbo.yaml");
  ExpectGoodput("iperf3_mtu9000", kRateBps, [&](double goodput) {
    return fmt::format(
        "{:.2f} Mbit/s goodput over MTU 9000 ({:+.2f}% of the configured 100 Mbit/s)",
        goodput / 1e6, (goodput / kRateBps - 1) * 100);
  });
}

}  // namespace
}  // namespace linkmon::lab::testing
