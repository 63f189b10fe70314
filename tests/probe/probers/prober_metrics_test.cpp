#include "probe/probers/prober_metrics.h"

#include <memory>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "exporters/prometheus/text_exposition.h"
#include "probe/probers/icmp_prober.h"
#include "tests/probe/probers/recording_listener.h"
#include "tests/support/subprocess.h"

namespace linkmon::probers {
namespace {

using boost::asio::ip::make_address;

void ExpectPromtoolClean(const std::string& text) {
  linkmon::testing::CommandResult lint = linkmon::testing::RunCommand(
      {"promtool", "check", "metrics"}, std::chrono::seconds(60), text);
  EXPECT_EQ(lint.exit_code, 0) << lint.output << text;
}

bool Has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

// Two probers towards the loopback, each with two probes sent and answered.
class ProberMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto service = resources_.IcmpService(icmp::IpVersion::kV4, 0);
    if (!service) GTEST_SKIP() << service.error().message;
    for (int i = 0; i < 2; ++i) {
      auto prober = IcmpProber::Make(**service, {.target = make_address("127.0.0.1")}, listener_);
      ASSERT_TRUE(prober.has_value());
      ASSERT_TRUE((*prober)->Send(0).has_value());
      ASSERT_TRUE((*prober)->Send(1).has_value());
      probers_.push_back(std::move(*prober));
    }
    for (int i = 0; i < 200 && listener_.replies().size() < 4; ++i) {
      io_.run_for(std::chrono::milliseconds(5));
    }
  }
  void TearDown() override { resources_.Close(); }

  boost::asio::io_context io_;
  RealClock clock_;
  ProberResources resources_{io_, clock_, icmp::RandomCookie()};
  testing::RecordingListener listener_;
  std::vector<std::unique_ptr<IcmpProber>> probers_;
};

TEST_F(ProberMetricsTest, SumsTheTargetsOfAMethodByDefaultAndPassesPromtool) {
  auto collector = std::make_shared<ProberCollector>(resources_);
  collector->Add("loopback", Method::kIcmp, 0, *probers_[0]);
  collector->Add("loopback-2", Method::kIcmp, 0, *probers_[1]);
  const std::string text = exporters::RenderTextExposition({collector});
  EXPECT_TRUE(Has(text, "linkmon_probe_probes_sent_total{method=\"icmp\",dscp=\"0\"} 4")) << text;
  EXPECT_TRUE(Has(text, "linkmon_probe_send_errors_total{method=\"icmp\",dscp=\"0\"} 0")) << text;
  EXPECT_FALSE(Has(text, "dst=")) << text;
  EXPECT_TRUE(Has(text, "linkmon_probe_icmp_socket_info{version=\"4\",dscp=\"0\",kind="));
  ExpectPromtoolClean(text);
}

TEST_F(ProberMetricsTest, ExposesPerTargetCountersWhenAskedAndPassesPromtool) {
  auto collector =
      std::make_shared<ProberCollector>(resources_, ProberMetricsOptions{.per_target = true});
  collector->Add("loopback", Method::kIcmp, 0, *probers_[0]);
  collector->Add("loopback-2", Method::kIcmp, 0, *probers_[1]);
  const std::string text = exporters::RenderTextExposition({collector});
  EXPECT_TRUE(
      Has(text, "linkmon_probe_probes_sent_total{dst=\"loopback\",method=\"icmp\",dscp=\"0\"} 2"))
      << text;
  EXPECT_TRUE(
      Has(text, "linkmon_probe_probes_sent_total{dst=\"loopback-2\",method=\"icmp\",dscp=\"0\"} 2"))
      << text;
  EXPECT_TRUE(
      Has(text, "linkmon_probe_send_errors_total{dst=\"loopback\",method=\"icmp\",dscp=\"0\"} 0"));
  ExpectPromtoolClean(text);
}

stats::IntervalSummary Outcome(std::uint64_t received, std::uint64_t lost,
                               stats::TimestampSource source) {
  stats::IntervalSummary summary;
  summary.counts = {.sent = received + lost, .received = received, .lost = lost};
  summary.timestamp_source = source;
  return summary;
}

PathKey Path(const char* target, Method method) {
  return {*SiteName::Make("xining"), *TargetName::Make(target), method};
}

TEST(PathOutcomeCollectorTest, SumsOutcomesByMethodOrPerTarget) {
  for (const bool per_target : {false, true}) {
    auto collector =
        std::make_shared<PathOutcomeCollector>(ProberMetricsOptions{.per_target = per_target});
    collector->Record(Path("haidong", Method::kIcmp),
                      Outcome(9, 1, stats::TimestampSource::kKernel));
    collector->Record(Path("lanzhou", Method::kIcmp),
                      Outcome(10, 0, stats::TimestampSource::kKernel));
    collector->Record(Path("haidong", Method::kIcmp), Outcome(8, 2, stats::TimestampSource::kNone));
    collector->Record(Path("haidong", Method::kStamp),
                      Outcome(5, 0, stats::TimestampSource::kUserspace));
    const std::string text = exporters::RenderTextExposition({collector});
    if (per_target) {
      EXPECT_TRUE(Has(text, "linkmon_probe_probes_lost_total{dst=\"haidong\",method=\"icmp\"} 3"))
          << text;
      EXPECT_TRUE(
          Has(text, "linkmon_probe_replies_received_total{dst=\"lanzhou\",method=\"icmp\"} 10"))
          << text;
      // A summary without replies keeps the last clock seen.
      EXPECT_TRUE(Has(text,
                      "linkmon_probe_timestamp_source_info{dst=\"haidong\",method=\"icmp\",source="
                      "\"kernel\"} 1"))
          << text;
    } else {
      EXPECT_TRUE(Has(text, "linkmon_probe_probes_lost_total{method=\"icmp\"} 3")) << text;
      EXPECT_TRUE(Has(text, "linkmon_probe_replies_received_total{method=\"icmp\"} 27")) << text;
      EXPECT_TRUE(Has(text, "linkmon_probe_replies_received_total{method=\"stamp\"} 5")) << text;
      EXPECT_TRUE(
          Has(text, "linkmon_probe_timestamp_source_info{method=\"stamp\",source=\"userspace\"} 1"))
          << text;
      EXPECT_FALSE(Has(text, "dst=")) << text;
    }
    ExpectPromtoolClean(text);
  }
}

}  // namespace
}  // namespace linkmon::probers
