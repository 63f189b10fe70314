#include "probe/probers/builtin_probers.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "probe/reflector/stamp_reflector.h"
#include "tests/probe/probers/recording_listener.h"

namespace linkmon::probers {
namespace {

using boost::asio::ip::make_address;
using std::chrono::milliseconds;
using testing::RecordingListener;

config::Target Target(const char* address) {
  return config::Target{.name = *TargetName::Make("loopback"),
                        .site = std::nullopt,
                        .via_hub_group = std::nullopt,
                        .address = make_address(address),
                        .methods = {},
                        .sla_class = *SlaClassName::Make("metro"),
                        .stamp = std::nullopt,
                        .tcp = std::nullopt,
                        .dns = std::nullopt,
                        .throughput = std::nullopt,
                        .passive = std::nullopt};
}

class BuiltinProbersTest : public ::testing::Test {
 protected:
  BuiltinProbersTest() : resources_(io_, clock_, icmp::RandomCookie()) {
    AddBuiltinProbers(registry_);
  }
  ~BuiltinProbersTest() override { resources_.Close(); }

  // Sends one probe and waits for its reply (2 s at most).
  bool OneRoundTrip(Prober& prober, RecordingListener& listener) {
    if (!prober.Send(0)) return false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (listener.replies().empty() && std::chrono::steady_clock::now() < deadline) {
      if (io_.stopped()) io_.restart();
      io_.run_for(milliseconds(2));
    }
    return listener.replies().size() == 1;
  }

  boost::asio::io_context io_;
  RealClock clock_;
  ProberResources resources_;
  ProberRegistry registry_;
};

TEST_F(BuiltinProbersTest, StampTargetMeasuresAgainstAReflector) {
  reflector::ReflectorOptions options;
  options.listen = boost::asio::ip::udp::endpoint(make_address("::1"), 0);
  auto reflector = reflector::StampReflector::Start(io_, clock_, options);
  ASSERT_TRUE(reflector.has_value());
  config::Target target = Target("::1");
  target.stamp = config::StampSettings{.port = (*reflector)->local_endpoint().port()};
  RecordingListener listener;
  auto prober = registry_.Make(Method::kStamp, target, resources_, listener);
  ASSERT_TRUE(prober.has_value()) << prober.error().message;
  EXPECT_TRUE(OneRoundTrip(**prober, listener));
  // 100-byte IPv6 packets: 52 bytes of STAMP payload reached the reflector.
  EXPECT_EQ((*reflector)->counters().received_bytes, 52u);
}

TEST_F(BuiltinProbersTest, TcpTargetConnects) {
  boost::asio::ip::tcp::acceptor acceptor(io_, {make_address("127.0.0.1"), 0});
  config::Target target = Target("127.0.0.1");
  target.tcp = config::TcpSettings{.port = acceptor.local_endpoint().port()};
  RecordingListener listener;
  auto prober = registry_.Make(Method::kTcp, target, resources_, listener);
  ASSERT_TRUE(prober.has_value()) << prober.error().message;
  EXPECT_TRUE(OneRoundTrip(**prober, listener));
}

TEST_F(BuiltinProbersTest, IcmpTargetsShareOneSocketPerVersionAndDscp) {
  RecordingListener first;
  RecordingListener second;
  config::Target target = Target("127.0.0.1");
  auto a = registry_.Make(Method::kIcmp, target, resources_, first);
  if (!a && a.error().code == ErrorCode::kPermission) GTEST_SKIP() << a.error().message;
  ASSERT_TRUE(a.has_value()) << a.error().message;
  auto b = registry_.Make(Method::kIcmp, target, resources_, second);
  ASSERT_TRUE(b.has_value());
  target.dscp = 10;
  RecordingListener third;
  auto c = registry_.Make(Method::kIcmp, target, resources_, third);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(resources_.icmp_services().size(), 2u);
  EXPECT_TRUE(OneRoundTrip(**a, first));
  EXPECT_TRUE(OneRoundTrip(**c, third));
}

TEST_F(BuiltinProbersTest, MethodsWithoutAProberAreRefusedByName) {
  RecordingListener listener;
  auto prober = registry_.Make(Method::kThroughput, Target("127.0.0.1"), resources_, listener);
  ASSERT_FALSE(prober.has_value());
  EXPECT_EQ(prober.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(prober.error().message,
            "target loopback: no prober for method throughput in this build");
  auto tcp = registry_.Make(Method::kTcp, Target("127.0.0.1"), resources_, listener);
  ASSERT_FALSE(tcp.has_value());
  EXPECT_EQ(tcp.error().message, "target loopback (tcp): tcp settings missing");
}

}  // namespace
}  // namespace linkmon::probers
