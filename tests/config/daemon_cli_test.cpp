// Runs the real daemons' command line: --check-config on the example and on a bad file, the
// exit codes of config/daemon_cli.h, --version, --site.

#include "config/daemon_cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/version.h"
#include "tests/support/subprocess.h"

namespace linkmon::config {
namespace {

using linkmon::testing::RunCommand;
using ::testing::HasSubstr;

const std::string kProbe = std::string(LINKMON_BINARY_DIR) + "/bin/linkmon-probe";
const std::string kCollector = std::string(LINKMON_BINARY_DIR) + "/bin/linkmon-collector";
const std::string kExample = std::string(LINKMON_SOURCE_DIR) + "/config/examples/qinghai.yaml";
const std::string kBad = std::string(LINKMON_SOURCE_DIR) + "/tests/config/bad/many_problems.yaml";

constexpr std::string_view kExampleSummary =
    ": ok: 18 sites, 4 hub groups, 7 SLA classes, 3 probe sites measuring 70 paths";

TEST(DaemonCliTest, CheckConfigAcceptsTheExample) {
  auto collector = RunCommand({kCollector, "--config", kExample, "--check-config"});
  EXPECT_EQ(collector.exit_code, kExitOk);
  EXPECT_EQ(collector.output, kExample + std::string(kExampleSummary) + "\n");

  auto probe = RunCommand({kProbe, "--config", kExample, "--check-config"});
  EXPECT_EQ(probe.exit_code, kExitOk);
  EXPECT_EQ(probe.output, kExample + std::string(kExampleSummary) + "\n");

  auto xining = RunCommand({kProbe, "--config", kExample, "--check-config", "--site", "xining"});
  EXPECT_EQ(xining.exit_code, kExitOk);
  EXPECT_EQ(xining.output,
            kExample + std::string(kExampleSummary) + "; probe 'xining': 18 targets, 40 paths\n");
}

TEST(DaemonCliTest, CheckConfigPrintsEveryProblemAndFails) {
  const std::string expected =
      kBad +
      ":3:20: region: 'Qinghai' must be 1-63 characters of a-z, 0-9, '_' or '-', "
      "starting with a letter or digit\n" +
      kBad +
      ":4:55: site 'haidong': unknown key 'colour'; expected one of: region, description, "
      "reflector, addresses\n" +
      kBad +
      ":6:20: rtt_p99: duration '1' has no unit: add one of ns, us, \xC2\xB5s, ms, s, m, "
      "h, d\n" +
      kBad +
      ":9:20: upload_interval: invalid duration 'soon': expected a non-negative number "
      "and a unit (ns, us, \xC2\xB5s, ms, s, m, h, d)\n" +
      kBad + ":14:15: dscp: expected an integer, got '46.5'\n" + kBad +
      ":16:15: site: unknown site 'beijing'\n" + kBad +
      ":17:20: sla_class: unknown SLA class 'nationwide'\n" + kBad +
      ":19:3: collector: missing required key 'tokens' (a token file per probe site)\n" + kBad +
      ":19:14: retention: unknown duration unit ' days' in '35 days': use one of ns, us, "
      "\xC2\xB5s, ms, s, m, h, d\n";
  for (const std::string& binary : {kProbe, kCollector}) {
    auto result = RunCommand({binary, "--config", kBad, "--check-config"});
    EXPECT_EQ(result.exit_code, kExitConfigError) << binary;
    EXPECT_EQ(result.output, expected) << binary;
  }
}

TEST(DaemonCliTest, MissingConfigFileIsAConfigError) {
  auto result = RunCommand({kCollector, "--config", "/nonexistent/linkmon.yaml", "--check-config"});
  EXPECT_EQ(result.exit_code, kExitConfigError);
  EXPECT_EQ(result.output, "/nonexistent/linkmon.yaml: cannot open: No such file or directory\n");
}

TEST(DaemonCliTest, ProbeClockOptionIsChecked) {
  auto clock = RunCommand({kProbe, "--config", kExample, "--site", "xining", "--clock", "ntp"});
  EXPECT_EQ(clock.exit_code, kExitConfigError);
  EXPECT_THAT(clock.output, HasSubstr("--clock: ntp not in {auto,synchronized,unsynchronized}"));
}

TEST(DaemonCliTest, InvalidConfigAtStartIsLoggedAndFails) {
  auto result = RunCommand({kCollector, "--config", kBad});
  EXPECT_EQ(result.exit_code, kExitConfigError);
  EXPECT_THAT(result.output, HasSubstr(kBad + ":3:20: region: 'Qinghai'"));
  EXPECT_THAT(result.output,
              HasSubstr("level=error event=config_invalid file=" + kBad + " problems=9"));
}

TEST(DaemonCliTest, ProbeNeedsItsSite) {
  auto missing = RunCommand({kProbe, "--config", kExample});
  EXPECT_EQ(missing.exit_code, kExitConfigError);
  EXPECT_THAT(missing.output, HasSubstr("--site is required"));

  auto unknown = RunCommand({kProbe, "--config", kExample, "--site", "xinning"});
  EXPECT_EQ(unknown.exit_code, kExitConfigError);
  EXPECT_EQ(unknown.output,
            "--site: 'xinning' is not a site in " + kExample + "; did you mean 'xining'?\n");

  auto idle = RunCommand({kProbe, "--config", kExample, "--site", "beijing", "--check-config"});
  EXPECT_EQ(idle.exit_code, kExitConfigError);
  EXPECT_THAT(idle.output, HasSubstr("site 'beijing' has no entry under 'probes:'"));

  auto reflector_only =
      RunCommand({kProbe, "--config", kExample, "--site", "xian", "--check-config"});
  EXPECT_EQ(reflector_only.exit_code, kExitOk);
  EXPECT_THAT(reflector_only.output, HasSubstr("site 'xian': reflector only"));
}

TEST(DaemonCliTest, SiteComesFromTheEnvironmentToo) {
  auto result =
      RunCommand({"env", "LINKMON_SITE=lanzhou", kProbe, "--config", kExample, "--check-config"});
  EXPECT_EQ(result.exit_code, kExitOk);
  EXPECT_THAT(result.output, HasSubstr("probe 'lanzhou': 2 targets, 4 paths"));
}

TEST(DaemonCliTest, VersionHelpAndUsageErrors) {
  auto version = RunCommand({kProbe, "--version"});
  EXPECT_EQ(version.exit_code, kExitOk);
  EXPECT_EQ(version.output, "linkmon-probe " + std::string(LinkmonVersion()) + "\n");
  EXPECT_THAT(std::string(LinkmonVersion()), ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));

  auto help = RunCommand({kCollector, "--help"});
  EXPECT_EQ(help.exit_code, kExitOk);
  EXPECT_THAT(help.output, HasSubstr("--check-config"));
  EXPECT_THAT(help.output, ::testing::Not(HasSubstr("--site")));

  auto no_config = RunCommand({kCollector});
  EXPECT_EQ(no_config.exit_code, kExitConfigError);
  EXPECT_THAT(no_config.output, HasSubstr("--config is required"));

  auto level = RunCommand({kCollector, "--config", kExample, "--log-level", "loud"});
  EXPECT_EQ(level.exit_code, kExitConfigError);
  EXPECT_THAT(level.output,
              HasSubstr("--log-level: 'loud' is not one of trace, debug, info, warn, error, off"));

  auto extra = RunCommand({kCollector, "--config", kExample, "--bogus"});
  EXPECT_EQ(extra.exit_code, kExitConfigError);
}

}  // namespace
}  // namespace linkmon::config
