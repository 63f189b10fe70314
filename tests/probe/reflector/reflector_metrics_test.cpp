#include "probe/reflector/reflector_metrics.h"

#include <memory>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "exporters/prometheus/text_exposition.h"
#include "probe/stamp/stamp_packet.h"
#include "tests/support/subprocess.h"

namespace linkmon::reflector {
namespace {

using boost::asio::ip::make_address;
using boost::asio::ip::udp;

TEST(ReflectorMetricsTest, ExposesCountersByReasonAndPassesPromtool) {
  boost::asio::io_context io;
  RealClock clock;
  ReflectorOptions options;
  options.listen = udp::endpoint(make_address("127.0.0.1"), 0);
  auto reflector = StampReflector::Start(io, clock, options);
  ASSERT_TRUE(reflector.has_value());
  udp::socket sender(io, udp::endpoint(make_address("127.0.0.1"), 0));
  std::vector<std::uint8_t> packet(60);
  ASSERT_TRUE(stamp::StampCodec::Unauthenticated()
                  .EncodeSender({.sequence = 1, .timestamp = 0, .error_estimate = {}}, packet)
                  .has_value());
  sender.send_to(boost::asio::buffer(packet), (*reflector)->local_endpoint());
  std::vector<std::uint8_t> short_packet(10);
  sender.send_to(boost::asio::buffer(short_packet), (*reflector)->local_endpoint());
  for (int i = 0; i < 100 && (*reflector)->counters().received_packets < 2; ++i) {
    io.run_for(std::chrono::milliseconds(5));
  }

  auto collector = std::make_shared<ReflectorCollector>(**reflector);
  std::string text = exporters::RenderTextExposition({collector});
  EXPECT_NE(text.find("linkmon_reflector_received_packets_total 2"), std::string::npos) << text;
  EXPECT_NE(text.find("linkmon_reflector_received_bytes_total 70"), std::string::npos);
  EXPECT_NE(text.find("linkmon_reflector_reflected_bytes_total 60"), std::string::npos);
  EXPECT_NE(text.find("linkmon_reflector_refused_packets_total{reason=\"too_short\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("linkmon_reflector_refused_packets_total{reason=\"replay\"} 0"),
            std::string::npos);
  EXPECT_NE(text.find("linkmon_reflector_sessions 1"), std::string::npos);
  EXPECT_NE(text.find("linkmon_reflector_timestamp_source_info{source=\"so_timestamping\"} 1"),
            std::string::npos);

  testing::CommandResult lint =
      testing::RunCommand({"promtool", "check", "metrics"}, std::chrono::seconds(60), text);
  if (lint.exit_code == -1 && !lint.timed_out) GTEST_SKIP() << "promtool unavailable";
  EXPECT_EQ(lint.exit_code, 0) << lint.output;
}

}  // namespace
}  // namespace linkmon::reflector
