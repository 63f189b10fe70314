// The passive analyser in the lab (bw1.yaml: 24 ms round trip between Xining and Beijing), on the
// evidence of issue 9: an iperf3 flow's RTT seen passively from Xining's interface is within 1 ms
// of the configured 24 ms at the median, and the bytes captured are within 2 % of the interface's
// own counters (/sys/class/net/IF/statistics in the site's namespace); tshark's capture of the
// same traffic, replayed offline through the analyser, gives a median within 1 ms as well. Needs
// root (label lab).

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/lab/integration/lab_fixture.h"

namespace linkmon::passive {
namespace {

using lab::testing::BackgroundProcess;
using lab::testing::CommandResult;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kTool = LINKMON_BINARY_DIR "/tests/passive_lab_tool";
constexpr double kConfiguredRttMs = 24.0;
constexpr int kAttempts = 2;

class PassiveLabTest : public lab::testing::LabTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the lab needs root";
    Up("../../probe/passive/lab/bw1.yaml");
    capture_file_ = "/tmp/linkmon-bw1-" + std::to_string(::getpid()) + ".pcap";
  }

  void TearDown() override {
    LabTest::TearDown();
    std::filesystem::remove(capture_file_);
  }

  // The analyser over tshark's file of the last WatchIperf3.
  nlohmann::json ReadCapture() {
    CommandResult run = linkmon::testing::RunCommand(
        {kTool, "--read", capture_file_, "--site", "beijing=10.77.2.0/24", "--json"}, seconds(60));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    auto json = nlohmann::json::parse(
        run.output.substr(std::min(run.output.find('{'), run.output.size())), nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << run.output;
    return json;
  }

  std::string capture_file_;
  BackgroundProcess *tshark_ = nullptr;

  // rx_bytes + tx_bytes of Xining's lab interface.
  std::uint64_t InterfaceBytes() {
    CommandResult run = InSite("xining", {"sh", "-c",
                                          "cat /sys/class/net/bw1-s1/statistics/rx_bytes "
                                          "/sys/class/net/bw1-s1/statistics/tx_bytes"});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    std::istringstream in(run.output);
    std::uint64_t rx = 0, tx = 0;
    in >> rx >> tx;
    return rx + tx;
  }

  // Captures on Xining's interface while iperf3 sends `rate` for 4 s to
  // Beijing; the tool's JSON and the interface counters' growth over the same
  // time.
  std::pair<nlohmann::json, std::uint64_t> WatchIperf3(const std::string &rate) {
    StartInSite("beijing", {"iperf3", "-s", "-1", "-B", "10.77.2.2"});
    // tshark records the same traffic to a file (headers only, not promiscuous), which the
    // test replays offline.
    std::filesystem::remove(capture_file_);
    tshark_ = &StartInSite("xining", {"tshark", "-q", "-p", "-i", "bw1-s1", "-s", "192", "-F",
                                      "pcap", "-w", capture_file_, "-a", "duration:9"});
    std::this_thread::sleep_for(milliseconds(1500));
    const std::uint64_t before = InterfaceBytes();
    BackgroundProcess &tool =
        StartInSite("xining", {kTool, "--interface", "bw1-s1", "--duration", "7s", "--site",
                               "beijing=10.77.2.0/24", "--json"});
    std::this_thread::sleep_for(milliseconds(800));
    CommandResult client =
        InSite("xining", {"iperf3", "-c", "10.77.2.2", "-t", "4", "-b", rate, "-J"}, seconds(30));
    EXPECT_EQ(client.exit_code, 0) << client.output;
    EXPECT_EQ(tool.Wait(seconds(20)), 0) << tool.Output();
    const std::uint64_t after = InterfaceBytes();
    EXPECT_EQ(tshark_->Wait(seconds(20)), 0) << tshark_->Output();
    std::string output = tool.Output();
    auto json = nlohmann::json::parse(output.substr(std::min(output.find('{'), output.size())),
                                      nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << output;
    return {json, after - before};
  }
};

TEST_F(PassiveLabTest, Iperf3FlowRttAndThroughputMatchLinkAndCounters) {
  std::string attempts;
  bool rtt_ok = false;
  bool bytes_ok = false;
  for (int attempt = 1; attempt <= kAttempts && !(rtt_ok && bytes_ok); ++attempt) {
    auto [json, counter_bytes] = WatchIperf3("50M");
    if (json.is_discarded()) continue;
    ASSERT_EQ(json["sites"].size(), 1u) << json.dump();
    const auto &beijing = json["sites"][0];
    EXPECT_EQ(beijing["site"], "beijing");
    const double p50_ms = beijing["rtt_seconds"]["p50"].get<double>() * 1000;
    const auto samples = beijing["rtt_seconds"]["count"].get<std::uint64_t>();
    const auto captured = json["frames"]["bytes"].get<std::uint64_t>();
    const double bytes_error =
        (static_cast<double>(captured) / static_cast<double>(counter_bytes) - 1) * 100;
    const std::string line = fmt::format(
        "attempt {}: passive RTT p50 {:.3f} ms over {} samples (configured "
        "{:.1f} ms, {:+.3f} ms); "
        "captured {} bytes, interface counters {} bytes ({:+.3f}%); capture "
        "dropped {}",
        attempt, p50_ms, samples, kConfiguredRttMs, p50_ms - kConfiguredRttMs, captured,
        counter_bytes, bytes_error, json["capture"]["dropped"].get<std::uint64_t>());
    std::printf("%s\n", line.c_str());
    RecordProperty(fmt::format("passive_attempt{}", attempt), line);
    attempts += line + "\n";
    EXPECT_GT(samples, 100u);
    // The same traffic from tshark's capture file, offline: the same packets with the same
    // kernel stamps, so the same median (tshark may miss frames the live capture saw).
    nlohmann::json offline = ReadCapture();
    bool offline_ok = false;
    if (!offline.is_discarded() && offline["sites"].size() == 1) {
      const double offline_p50_ms = offline["sites"][0]["rtt_seconds"]["p50"].get<double>() * 1000;
      const std::string offline_line = fmt::format(
          "attempt {}: offline from tshark's pcap: RTT p50 {:.3f} ms over {} samples, {} frames "
          "({} live)",
          attempt, offline_p50_ms, offline["sites"][0]["rtt_seconds"]["count"].get<std::uint64_t>(),
          offline["frames"]["packets"].get<std::uint64_t>(),
          json["frames"]["packets"].get<std::uint64_t>());
      std::printf("%s\n", offline_line.c_str());
      RecordProperty(fmt::format("passive_offline_attempt{}", attempt), offline_line);
      attempts += offline_line + "\n";
      offline_ok = std::abs(offline_p50_ms - kConfiguredRttMs) <= 1.0;
    }
    rtt_ok = rtt_ok || (std::abs(p50_ms - kConfiguredRttMs) <= 1.0 && offline_ok);
    bytes_ok = bytes_ok || std::abs(bytes_error) <= 2.0;
  }
  EXPECT_TRUE(rtt_ok) << "median passive RTT never within 1 ms of 24 ms:\n" << attempts;
  EXPECT_TRUE(bytes_ok) << "captured bytes never within 2 % of the counters:\n" << attempts;
}

}  // namespace
}  // namespace linkmon::passive
