// The probe in the lab (tests/probe/lab/ltprobe.yaml: a 17 ms round trip through the WAN
// emulator), measured against tools nobody here wrote: fping for ICMP, irtt for UDP two-way
// (the evidence of issue 5). Needs root and the lab; runs one at a time (label lab).
//
// linkmon's figures come from kernel timestamps; fping and irtt take theirs in user space, so on a
// busy machine they add their wake-up delays. Each comparison is therefore tried up to three
// times, and must agree within 100 us in one of them. Figures are printed and recorded as test
// properties (ctest --output-on-failure -V, or the XML report).

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/lab/integration/lab_fixture.h"
#include "tests/lab/integration/measurements.h"

namespace linkmon::probe_lab {
namespace {

using lab::testing::BackgroundProcess;
using lab::testing::Binomial99;
using lab::testing::CommandResult;
using lab::testing::ParseFpingCounts;
using lab::testing::ParseIrtt;
using lab::testing::Percentile;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kTool = LINKMON_BINARY_DIR "/tests/probe_lab_tool";
constexpr double kMedianBoundUs = 100;
constexpr int kAttempts = 3;

struct Address {
  const char* xining;
  const char* beijing;
  const char* name;
};
const Address kV4{"10.77.1.2", "10.77.2.2", "ipv4"};
const Address kV6{"fd00:6c6d:0:1::2", "fd00:6c6d:0:2::2", "ipv6"};

std::string Bracketed(const std::string& address) {
  return address.find(':') != std::string::npos ? "[" + address + "]" : address;
}

class ProbeLabTest : public lab::testing::LabTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the lab needs root";
    Up("../../probe/lab/ltprobe.yaml");
    StartInSite("beijing", {"nice", "-n", "-20", kTool, "reflector", "--listen", "::", "--port",
                            "862", "--allow", "10.77.0.0/16", "--allow", "fd00:6c6d::/32",
                            "--clock", "synchronized"});
    StartInSite("beijing", {"nice", "-n", "-20", "irtt", "server", "-b", ":2112", "-i", "0",
                            "--timeout=120s"});
    std::this_thread::sleep_for(milliseconds(500));
  }

  // linkmon measure from Xining; the JSON object it printed.
  nlohmann::json Measure(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"nice", "-n", "-20", kTool, "measure"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--json");
    CommandResult run = InSite("xining", argv, seconds(120));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    std::string text = run.output.substr(std::min(run.output.find('{'), run.output.size()));
    nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << run.output;
    return json;
  }

  nlohmann::json Stamp(const Address& to, int count, const std::string& interval) {
    return Measure({"--method", "stamp", "--target", Bracketed(to.beijing) + ":862", "--count",
                    std::to_string(count), "--interval", interval, "--timeout", "1s", "--clock",
                    "synchronized"});
  }

  nlohmann::json Icmp(const Address& to, int count, const std::string& interval) {
    return Measure({"--method", "icmp", "--target", to.beijing, "--count", std::to_string(count),
                    "--interval", interval, "--timeout", "1s"});
  }

  // fping's median RTT in ms over `count` echoes 10 ms apart. fping's timeout defaults to the
  // period when that is shorter than 500 ms, which would drop every 17 ms reply: -t 1000.
  std::optional<double> FpingMedianMs(const Address& to, int count) {
    CommandResult run = InSite("xining",
                               {"nice", "-n", "-20", "fping", "-C", std::to_string(count), "-p",
                                "10", "-t", "1000", "-q", to.beijing},
                               seconds(120));
    auto series = ParseFpingCounts(run.output, to.beijing);
    if (!series || series->Received().empty()) return std::nullopt;
    return Percentile(series->Received(), 0.5);
  }

  // irtt's median RTT in ms over 3 s of requests 10 ms apart.
  std::optional<double> IrttMedianMs(const Address& to) {
    std::string path = fmt::format("/tmp/linkmon-probe-lab-irtt-{}.json", ::getpid());
    CommandResult run = InSite("xining",
                               {"nice", "-n", "-20", "irtt", "client", "-Q", "-i", "10ms", "-d",
                                "3s", "--fill=none", "-o", path, Bracketed(to.beijing) + ":2112"},
                               seconds(60));
    std::ifstream file(path);
    auto json = nlohmann::json::parse(file, nullptr, false);
    std::filesystem::remove(path);
    if (json.is_discarded()) return std::nullopt;
    auto irtt = ParseIrtt(json);
    if (!irtt || irtt->rtt_ms.empty()) return std::nullopt;
    return Percentile(irtt->rtt_ms, 0.5);
  }

  // Compares linkmon's median with a tool's, up to kAttempts times.
  void ExpectMediansAgree(const std::string& what,
                          const std::function<std::optional<double>()>& linkmon_ms,
                          const std::function<std::optional<double>()>& tool_ms) {
    std::string attempts;
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      std::optional<double> ours = linkmon_ms();
      std::optional<double> theirs = tool_ms();
      std::string line = fmt::format("{} attempt {}: linkmon {:.3f} ms, tool {:.3f} ms", what,
                                     attempt, ours.value_or(-1), theirs.value_or(-1));
      std::printf("%s\n", line.c_str());
      RecordProperty(fmt::format("{}_attempt{}", what, attempt), line);
      attempts += line + "\n";
      if (ours && theirs && std::abs(*ours - *theirs) * 1000 <= kMedianBoundUs) return;
    }
    ADD_FAILURE() << what << ": medians never within " << kMedianBoundUs << " us:\n" << attempts;
  }
};

class ProbeLabFamilyTest : public ProbeLabTest, public ::testing::WithParamInterface<Address> {};

TEST_P(ProbeLabFamilyTest, IcmpMedianAgreesWithFpingOn17msLink) {
  const Address& to = GetParam();
  ExpectMediansAgree(
      fmt::format("icmp_vs_fping_{}", to.name),
      [&]() -> std::optional<double> {
        nlohmann::json json = Icmp(to, 300, "10ms");
        if (json.is_discarded() || !json["rtt_seconds"]["p50"].is_number()) return std::nullopt;
        EXPECT_EQ(json["timestamp_source"], "kernel");
        return json["rtt_seconds"]["p50"].get<double>() * 1000;
      },
      [&] { return FpingMedianMs(to, 300); });
}

// irtt timestamps in user space, at both ends (a Go program woken by the kernel), which adds
// some 200 us to every round trip on this machine (measured: linkmon 17.04 ms, irtt 17.25 ms on
// the 17 ms link, fping 17.10 ms). As the lab's own irtt test does, the comparison is therefore of
// the delay each tool sees the link add: the median on the 17 ms link less the median on a 1 ms
// link (2 ms round trip) measured just before, which cancels each tool's own overhead.
TEST_P(ProbeLabFamilyTest, StampAddedDelayAgreesWithIrttOn17msLink) {
  const Address& to = GetParam();
  auto stamp_ms = [&]() -> std::optional<double> {
    nlohmann::json json = Stamp(to, 300, "10ms");
    if (json.is_discarded() || !json["rtt_seconds"]["p50"].is_number()) return std::nullopt;
    EXPECT_EQ(json["timestamp_source"], "kernel");
    return json["rtt_seconds"]["p50"].get<double>() * 1000;
  };
  auto added = [&](const std::function<std::optional<double>()>& median_ms,
                   const char* tool) -> std::optional<double> {
    SetBoth("xining", "beijing", {"delay=1ms"});
    std::optional<double> base = median_ms();
    SetBoth("xining", "beijing", {"delay=8.5ms"});
    std::optional<double> full = median_ms();
    if (!base || !full) return std::nullopt;
    std::string line = fmt::format("{} {}: median {:.3f} ms on 17 ms, {:.3f} ms on 2 ms", tool,
                                   to.name, *full, *base);
    std::printf("%s\n", line.c_str());
    RecordProperty(fmt::format("{}_{}_raw", tool, to.name), line);
    return *full - *base + 2.0;
  };
  ExpectMediansAgree(
      fmt::format("stamp_vs_irtt_added_delay_{}", to.name),
      [&] { return added(stamp_ms, "linkmon"); },
      [&] { return added([&] { return IrttMedianMs(to); }, "irtt"); });
}

INSTANTIATE_TEST_SUITE_P(Families, ProbeLabFamilyTest, ::testing::Values(kV4, kV6),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(ProbeLabTest, LossOnA2PercentLinkIsInTheBinomialInterval) {
  SetBoth("xining", "beijing", {"loss=2%"});
  // A probe is lost when its request or its reply is: 1 - 0.98^2.
  const double p = 1 - 0.98 * 0.98;
  for (const char* method : {"stamp", "icmp"}) {
    nlohmann::json json =
        std::string(method) == "stamp" ? Stamp(kV4, 3000, "2ms") : Icmp(kV4, 3000, "2ms");
    ASSERT_FALSE(json.is_discarded());
    auto interval = Binomial99(3000, p);
    std::int64_t lost = json["lost"].get<std::int64_t>();
    std::string line =
        fmt::format("{}: lost {} of {} (99% interval {}..{}), late {}", method, lost,
                    json["sent"].get<int>(), interval.low, interval.high, json["late"].get<int>());
    std::printf("%s\n", line.c_str());
    RecordProperty(std::string(method) + "_loss", line);
    EXPECT_EQ(json["sent"], 3000);
    EXPECT_GE(lost, interval.low) << line;
    EXPECT_LE(lost, interval.high) << line;
  }
}

TEST_F(ProbeLabTest, DuplicationAndReorderingAreDetected) {
  SetBoth("xining", "beijing", {"duplicate=3%", "reorder=3%", "reorder_gap=5ms"});
  nlohmann::json json = Stamp(kV4, 2000, "2ms");
  ASSERT_FALSE(json.is_discarded());
  std::string line =
      fmt::format("stamp: duplicated {} reordered {} of {}", json["duplicated"].get<int>(),
                  json["reordered"].get<int>(), json["sent"].get<int>());
  std::printf("%s\n", line.c_str());
  RecordProperty("stamp_dup_reorder", line);
  // Each direction duplicates 3 %: about 2000 * (1 - 0.97^2) = 118 extra replies; reordering
  // shows in both directions too. Loose bounds: detected, and not wildly over-counted.
  EXPECT_GT(json["duplicated"].get<int>(), 40) << line;
  EXPECT_LT(json["duplicated"].get<int>(), 250) << line;
  EXPECT_GT(json["reordered"].get<int>(), 20) << line;
  EXPECT_LT(json["reordered"].get<int>(), 300) << line;
}

TEST_F(ProbeLabTest, StampOneWayDelaysOnAnAsymmetricPath) {
  Set("xining", "beijing", {"delay=6ms"});
  Set("beijing", "xining", {"delay=11ms"});
  std::string attempts;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    nlohmann::json json = Stamp(kV4, 500, "10ms");
    ASSERT_FALSE(json.is_discarded());
    ASSERT_FALSE(json["one_way_delay_seconds"].is_null()) << json.dump();
    double forward = json["one_way_delay_seconds"]["forward"]["p50"].get<double>() * 1000;
    double reverse = json["one_way_delay_seconds"]["reverse"]["p50"].get<double>() * 1000;
    std::string line = fmt::format(
        "attempt {}: forward p50 {:.3f} ms (6 ms set), reverse p50 "
        "{:.3f} ms (11 ms set)",
        attempt, forward, reverse);
    std::printf("%s\n", line.c_str());
    RecordProperty(fmt::format("one_way_attempt{}", attempt), line);
    attempts += line + "\n";
    if (std::abs(forward - 6) <= 0.2 && std::abs(reverse - 11) <= 0.2) return;
  }
  ADD_FAILURE() << "one-way delays never within 200 us of the set ones:\n" << attempts;
}

}  // namespace
}  // namespace linkmon::probe_lab
