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

TEST(ProberMetricsTest, ExposesPerTargetCountersAndSocketsAndPassesPromtool) {
  boost::asio::io_context io;
  RealClock clock;
  ProberResources resources(io, clock, icmp::RandomCookie());
  auto service = resources.IcmpService(icmp::IpVersion::kV4, 0);
  if (!service) GTEST_SKIP() << service.error().message;
  testing::RecordingListener listener;
  auto prober = IcmpProber::Make(*service, {.target = make_address("127.0.0.1")}, listener);
  ASSERT_TRUE(prober.has_value());
  ASSERT_TRUE((*prober)->Send(0).has_value());
  ASSERT_TRUE((*prober)->Send(1).has_value());
  for (int i = 0; i < 100 && listener.replies().size() < 2; ++i) {
    io.run_for(std::chrono::milliseconds(5));
  }

  auto collector = std::make_shared<ProberCollector>(resources);
  collector->Add("loopback", Method::kIcmp, 0, **prober);
  std::string text = exporters::RenderTextExposition({collector});
  EXPECT_NE(
      text.find("linkmon_probe_probes_sent_total{dst=\"loopback\",method=\"icmp\",dscp=\"0\"} 2"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("linkmon_probe_send_errors_total{dst=\"loopback\",method=\"icmp\",dscp=\"0\"} 0"),
      std::string::npos);
  EXPECT_NE(text.find("linkmon_probe_icmp_socket_info{version=\"4\",dscp=\"0\",kind="),
            std::string::npos);
  linkmon::testing::CommandResult lint = linkmon::testing::RunCommand(
      {"promtool", "check", "metrics"}, std::chrono::seconds(60), text);
  EXPECT_EQ(lint.exit_code, 0) << lint.output;
  resources.Close();
}

}  // namespace
}  // namespace linkmon::probers
