// The lab's life: up, status, exec, down; a stale lab replaced; SIGINT/SIGTERM; two labs side by
// side; and the host's own network never touched.

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/lab/integration/lab_fixture.h"
#include "tests/lab/integration/measurements.h"

namespace linkmon::lab::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// Everything about the host's own network that the lab must leave alone.
std::string HostNetworkSnapshot() {
  std::string snapshot;
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"ip", "-o", "link", "show"},
                                             {"ip", "-o", "address", "show"},
                                             {"ip", "route", "show", "table", "all"},
                                             {"ip", "-6", "route", "show", "table", "all"},
                                             {"ip", "rule", "show"},
                                             {"ip", "-6", "rule", "show"},
                                             {"tc", "qdisc", "show"},
                                             {"iptables-save"},
                                             {"ip6tables-save"}}) {
    auto result = linkmon::testing::RunCommand(command);
    // iptables-save prints the time it ran; that line is no change of ours.
    std::string kept;
    std::istringstream lines(result.output);
    for (std::string line; std::getline(lines, line);) {
      if (!line.starts_with("# ")) kept += line + "\n";
    }
    snapshot += "$ " + command[0] + "\n" + kept;
  }
  return snapshot;
}

bool WaitFor(const std::function<bool()>& condition, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return condition();
}

class LifecycleTest : public LabTest {};

TEST_F(LifecycleTest, UpStatusExecDownLeaveTheHostAsItWas) {
  const std::string before = HostNetworkSnapshot();
  Up("lt3.yaml");
  EXPECT_EQ(HostNetworkSnapshot(), before) << "the lab changed the host's own network";
  EXPECT_THAT(NamespacesStartingWith("lt3-"),
              UnorderedElementsAre("lt3-wan", "lt3-xining", "lt3-beijing", "lt3-shanghai"));

  const nlohmann::json status = Status();
  EXPECT_EQ(status["lab"], "lt3");
  EXPECT_EQ(status["up"], true);
  ASSERT_EQ(status["sites"].size(), 3u);
  EXPECT_EQ(status["sites"][1]["name"], "beijing");
  EXPECT_EQ(status["sites"][1]["namespace"], "lt3-beijing");
  EXPECT_EQ(status["sites"][1]["ipv4"], "10.77.2.2");
  EXPECT_EQ(status["sites"][1]["ipv6"], "fd00:6c6d:0:2::2");
  ASSERT_EQ(status["directions"].size(), 6u);
  EXPECT_EQ(status["directions"][0]["from"], "xining");
  EXPECT_EQ(status["directions"][0]["to"], "beijing");
  EXPECT_EQ(status["directions"][0]["properties"]["delay_ns"], 6'000'000);

  // The site's namespace has its addresses; both families cross the emulated WAN.
  const CommandResult addresses = InSite("xining", {"ip", "-o", "address", "show", "lt3-s1"});
  EXPECT_THAT(addresses.output, HasSubstr("10.77.1.2/24"));
  EXPECT_THAT(addresses.output, HasSubstr("fd00:6c6d:0:1::2/64"));
  const CommandResult ping =
      InSite("xining", {"fping", "-C", "3", "-p", "30", "-q", "10.77.2.2", "fd00:6c6d:0:2::2"});
  EXPECT_EQ(ping.exit_code, 0) << ping.output;
  // The host namespace has no route into the lab: its addresses exist only inside.
  const CommandResult from_host = linkmon::testing::RunCommand({"ip", "route", "get", "10.77.2.2"});
  EXPECT_THAT(from_host.output, ::testing::Not(HasSubstr("lt3-")));

  const CommandResult down = Lab({"down", topology()});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_THAT(NamespacesStartingWith("lt3-"), ::testing::IsEmpty());
  EXPECT_FALSE(std::filesystem::exists("/run/linkmon-lab/lt3"));
  EXPECT_EQ(HostNetworkSnapshot(), before);
  const CommandResult status_after = Lab({"status", topology()});
  EXPECT_EQ(status_after.exit_code, 3) << status_after.output;
}

TEST_F(LifecycleTest, UpReplacesAStaleLabLeftByAKilledRun) {
  Up("lt3.yaml");
  const int old_pid = Status()["emulator_pid"];
  ASSERT_EQ(kill(old_pid, SIGKILL), 0);  // a killed run: its namespaces stay behind
  ASSERT_TRUE(WaitFor([&] { return kill(old_pid, 0) != 0; }, seconds(5)));
  EXPECT_EQ(NamespacesStartingWith("lt3-").size(), 4u);

  const CommandResult up = Lab({"up", topology()});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_THAT(up.output, HasSubstr("removed stale lab lt3"));
  EXPECT_NE(Status()["emulator_pid"], old_pid);
  const CommandResult ping = InSite("xining", {"fping", "-C", "2", "-p", "30", "-q", "10.77.3.2"});
  EXPECT_EQ(ping.exit_code, 0) << ping.output;
}

TEST_F(LifecycleTest, SigtermToTheEmulatorRemovesTheLab) {
  Up("lt3.yaml");
  BackgroundProcess& server = StartInSite("beijing", {"sleep", "60"});
  const int pid = Status()["emulator_pid"];
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_TRUE(WaitFor([] { return NamespacesStartingWith("lt3-").empty(); }, seconds(10)));
  EXPECT_TRUE(WaitFor([] { return !std::filesystem::exists("/run/linkmon-lab/lt3"); }, seconds(5)));
  // A process left running inside the lab ends with it.
  EXPECT_NE(server.Wait(seconds(5)), 0);
}

TEST_F(LifecycleTest, SigintEndsAForegroundLab) {
  BackgroundProcess foreground({kLabBinary, "up", "--foreground", kTopologies + "lt3.yaml"});
  ASSERT_TRUE(WaitFor(
      [&] {
        return linkmon::testing::RunCommand({kLabBinary, "status", kTopologies + "lt3.yaml"})
                   .exit_code == 0;
      },
      seconds(20)))
      << foreground.Output();
  ASSERT_EQ(kill(foreground.pid(), SIGINT), 0);
  EXPECT_EQ(foreground.Wait(seconds(15)), 0) << foreground.Output();
  EXPECT_THAT(NamespacesStartingWith("lt3-"), ::testing::IsEmpty());
}

TEST_F(LifecycleTest, SigtermWhileBuildingUndoesWhatWasMade) {
  for (int delay_ms : {30, 150, 400}) {
    BackgroundProcess up({kLabBinary, "up", kTopologies + "lt3.yaml"});
    std::this_thread::sleep_for(milliseconds(delay_ms));
    kill(up.pid(), SIGTERM);
    const int code = up.Wait(seconds(20));
    // Killed before it made anything (-1: the signal came before `up` blocked it), interrupted
    // while building (130: it undid itself), or finished (0: then down removes it).
    EXPECT_TRUE(code == -1 || code == 130 || code == 0) << code << "\n" << up.Output();
    if (code == 0) {
      EXPECT_EQ(Lab({"down", kTopologies + "lt3.yaml"}).exit_code, 0);
    }
    EXPECT_THAT(NamespacesStartingWith("lt3-"), ::testing::IsEmpty()) << "after " << delay_ms;
  }
}

TEST_F(LifecycleTest, TwoLabsRunSideBySide) {
  Up("lt3.yaml");
  const std::string lt3 = topology();
  Up("lt3b.yaml");
  const std::string lt3b = topology();
  // The same addresses in both labs, different delays: each packet stays in its own lab.
  auto median_rtt_ms = [&](const std::string& file) {
    const CommandResult ping =
        Lab({"exec", file, "xining", "--", "fping", "-C", "9", "-p", "30", "-q", "10.77.2.2"});
    EXPECT_EQ(ping.exit_code, 0) << ping.output;
    const auto series = ParseFpingCounts(ping.output, "10.77.2.2");
    return series ? Percentile(series->Received(), 0.5) : 0.0;
  };
  EXPECT_NEAR(median_rtt_ms(lt3), 12.0, 1.0);
  EXPECT_NEAR(median_rtt_ms(lt3b), 4.0, 1.0);
  ASSERT_EQ(Lab({"down", lt3}).exit_code, 0);
  EXPECT_NEAR(median_rtt_ms(lt3b), 4.0, 1.0);
  EXPECT_THAT(NamespacesStartingWith("lt3-"), ::testing::IsEmpty());
  EXPECT_EQ(NamespacesStartingWith("lt3b-").size(), 4u);
}

TEST_F(LifecycleTest, UnprivilegedIcmpIsPerSiteAndOffByDefault) {
  Up("lt3b.yaml");
  auto range = [&](const std::string& site) {
    return InSite(site, {"sysctl", "-n", "net.ipv4.ping_group_range"}).output;
  };
  EXPECT_EQ(range("beijing"), "0\t2147483647\n");
  EXPECT_EQ(range("xining"), "1\t0\n");
}

TEST_F(LifecycleTest, BadTopologyIsRefusedWithPositions) {
  const CommandResult up = Lab({"up", kTopologies + "ltbad.yaml"});
  EXPECT_EQ(up.exit_code, 2);
  EXPECT_THAT(up.output, HasSubstr("ltbad.yaml:1:7: name: 'lt-bad' must be 1-10 characters"));
  EXPECT_THAT(up.output, HasSubstr("ltbad.yaml:5:24: links[0].between[1]: unknown site 'beijing'"));
  EXPECT_THAT(NamespacesStartingWith("lt-bad"), ::testing::IsEmpty());
}

TEST_F(LifecycleTest, SetRefusesUnknownKeysAndLinks) {
  Up("lt3.yaml");
  const CommandResult typo = Lab({"set", topology(), "xining", "beijing", "dealy=20ms"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.output, HasSubstr("unknown link property 'dealy'; did you mean 'delay'?"));
  const CommandResult no_link = Lab({"set", topology(), "xining", "lhasa", "delay=1ms"});
  EXPECT_THAT(no_link.output, HasSubstr("the lab has no link from 'xining' to 'lhasa'"));
  EXPECT_EQ(Status()["directions"][0]["properties"]["delay"], "6ms");
}

}  // namespace
}  // namespace linkmon::lab::testing
