#include "probe/probers/icmp_prober.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "tests/probe/net/private_network.h"
#include "tests/probe/probers/recording_listener.h"

namespace linkmon::probers {
namespace {

using boost::asio::ip::make_address;
using std::chrono::milliseconds;
using testing::RecordingListener;

struct Case {
  icmp::IpVersion version;
  icmp::SocketPreference preference;
  const char* name;
};

class IcmpProberTest : public ::testing::TestWithParam<Case> {};

const char* Loopback(icmp::IpVersion version) {
  return version == icmp::IpVersion::kV4 ? "127.0.0.1" : "::1";
}

// Probes loopback 20 times through one service shared by two probers; each prober gets exactly
// its own replies.
void ProbeLoopback(const Case& param) {
  boost::asio::io_context io;
  RealClock clock;
  auto service = IcmpEchoService::Open(
      io, clock, {.version = param.version, .preference = param.preference}, icmp::RandomCookie());
  ASSERT_TRUE(service.has_value()) << service.error().message;
  RecordingListener first_listener;
  RecordingListener second_listener;
  auto first = IcmpProber::Make(**service, {.target = make_address(Loopback(param.version))},
                                first_listener);
  auto second = IcmpProber::Make(**service, {.target = make_address(Loopback(param.version))},
                                 second_listener);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_TRUE(second.has_value());
  for (std::uint32_t sequence = 0; sequence < 20; ++sequence) {
    ASSERT_TRUE((*first)->Send(sequence).has_value());
    if (sequence % 2 == 0) {
      ASSERT_TRUE((*second)->Send(1000 + sequence).has_value());
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (first_listener.replies().size() < sequence + 1 &&
           std::chrono::steady_clock::now() < deadline) {
      io.run_for(milliseconds(1));
    }
  }
  io.run_for(milliseconds(20));
  ASSERT_EQ(first_listener.replies().size(), 20u);
  ASSERT_EQ(second_listener.replies().size(), 10u);
  // No bound on the RTT here (timings belong in bench/). A reply processed before its probe's
  // kernel transmit stamp was read falls back to user-space stamps, which a loaded machine (the
  // sanitizer build beside other jobs) does now and then; most replies are kernel-stamped.
  int kernel_stamped = 0;
  for (std::uint32_t i = 0; i < 20; ++i) {
    const stats::ProbeReply& reply = first_listener.replies()[i];
    EXPECT_EQ(reply.sequence, i);
    EXPECT_GT(reply.rtt, std::chrono::nanoseconds(0));
    EXPECT_FALSE(reply.one_way.has_value());
    if (reply.timestamp_source == stats::TimestampSource::kKernel) ++kernel_stamped;
  }
  if ((*service)->timestamping() == net::KernelTimestamping::kSoTimestamping) {
    EXPECT_GT(kernel_stamped, 0);
  }
  EXPECT_EQ(second_listener.replies()[3].sequence, 1006u);
  EXPECT_EQ((*first)->counters().foreign_replies, 0u);
  // A raw socket also sees the echo replies of other programs on this host (tests in parallel):
  // foreign to the service, counted and never recorded. A datagram socket sees only its own.
  if ((*service)->kind() == icmp::SocketKind::kDatagram) {
    EXPECT_EQ((*service)->counters().foreign_replies, 0u);
  }
  EXPECT_EQ((*service)->kind(), param.preference == icmp::SocketPreference::kRawOnly
                                    ? icmp::SocketKind::kRaw
                                    : icmp::SocketKind::kDatagram);
  std::printf("icmp %s: timestamps %s, kernel TX stamps %llu of %llu, first RTT %lld ns\n",
              param.name,
              std::string(net::KernelTimestampingName((*service)->timestamping())).c_str(),
              static_cast<unsigned long long>((*first)->counters().kernel_transmit_stamps),
              static_cast<unsigned long long>((*first)->counters().probes_sent),
              static_cast<long long>(first_listener.replies()[0].rtt.count()));
  (*service)->Close();
}

TEST_P(IcmpProberTest, ProbesLoopbackThroughASharedSocket) {
  const Case& param = GetParam();
  if (param.preference == icmp::SocketPreference::kRawOnly) {
    ProbeLoopback(param);
    return;
  }
  std::string why_not;
  bool ran = net::testing::RunInPrivateNetwork(
      {.ping_group_range = "0 2147483647"}, [&] { ProbeLoopback(param); }, &why_not);
  if (!ran) GTEST_SKIP() << why_not;
}

INSTANTIATE_TEST_SUITE_P(
    Sockets, IcmpProberTest,
    ::testing::Values(
        Case{icmp::IpVersion::kV4, icmp::SocketPreference::kRawOnly, "RawV4"},
        Case{icmp::IpVersion::kV6, icmp::SocketPreference::kRawOnly, "RawV6"},
        Case{icmp::IpVersion::kV4, icmp::SocketPreference::kDatagramOnly, "DatagramV4"},
        Case{icmp::IpVersion::kV6, icmp::SocketPreference::kDatagramOnly, "DatagramV6"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(IcmpProberMakeTest, RefusesATargetOfTheOtherIpVersion) {
  boost::asio::io_context io;
  RealClock clock;
  auto service =
      IcmpEchoService::Open(io, clock, {.version = icmp::IpVersion::kV4}, icmp::RandomCookie());
  if (!service) GTEST_SKIP() << service.error().message;
  RecordingListener listener;
  auto prober = IcmpProber::Make(**service, {.target = make_address("::1")}, listener);
  ASSERT_FALSE(prober.has_value());
  EXPECT_EQ(prober.error().message, "icmp prober: target ::1 needs the other IP version's socket");
  (*service)->Close();
}

TEST(IcmpSizeTest, SubtractsTheIpHeader) {
  EXPECT_EQ(IcmpSizeForPacketSize(100, icmp::IpVersion::kV4), 80u);
  EXPECT_EQ(IcmpSizeForPacketSize(100, icmp::IpVersion::kV6), 60u);
  EXPECT_EQ(IcmpSizeForPacketSize(30, icmp::IpVersion::kV4), 24u);
}

}  // namespace
}  // namespace linkmon::probers
