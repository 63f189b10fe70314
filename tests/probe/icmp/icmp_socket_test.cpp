#include "probe/icmp/icmp_socket.h"

#include <poll.h>

#include <array>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "probe/net/datagram_io.h"
#include "tests/probe/net/private_network.h"

namespace linkmon::icmp {
namespace {

using boost::asio::ip::make_address;

const char* Loopback(IpVersion version) { return version == IpVersion::kV4 ? "127.0.0.1" : "::1"; }

// Sends three echoes to loopback and checks each reply comes back to this socket, matched by
// identifier, cookie and sequence; nothing else (our own requests) gets through.
void EchoThreeTimes(IcmpSocket& socket) {
  Cookie cookie = RandomCookie();
  Result<net::SocketAddress> to =
      net::SocketAddress::Make(make_address(Loopback(socket.version())), 0, socket.family());
  ASSERT_TRUE(to.has_value());
  for (std::uint32_t sequence = 70'000; sequence < 70'003; ++sequence) {
    std::vector<std::uint8_t> request(64);
    ASSERT_TRUE(
        EncodeEchoRequest(socket.version(),
                          {.identifier = socket.identifier(), .flow = 9, .sequence = sequence},
                          cookie, request)
            .has_value());
    Status sent = net::SendDatagram(socket.fd(), request, *to);
    ASSERT_TRUE(sent.has_value()) << sent.error().message;

    pollfd readable{.fd = socket.fd(), .events = POLLIN, .revents = 0};
    ASSERT_EQ(::poll(&readable, 1, 2000), 1) << "no reply";
    std::array<std::uint8_t, 256> buffer{};
    Result<net::ReceivedDatagram> received = net::ReceiveDatagram(socket.fd(), buffer);
    ASSERT_TRUE(received.has_value()) << received.error().message;
    Result<EchoReply> reply =
        DecodeEchoReply(socket.version(), socket.kind(),
                        std::span<const std::uint8_t>(buffer).first(received->size));
    ASSERT_TRUE(reply.has_value()) << reply.error().message;
    EXPECT_EQ(reply->identifier, socket.identifier());
    EXPECT_EQ(reply->cookie, cookie);
    EXPECT_EQ(reply->flow, 9u);
    EXPECT_EQ(reply->sequence, sequence);
    EXPECT_EQ(reply->icmp_size, 64u);
    EXPECT_EQ(received->source_address, make_address(Loopback(socket.version())));
  }
  std::array<std::uint8_t, 256> buffer{};
  EXPECT_EQ(net::ReceiveDatagram(socket.fd(), buffer).error().code, ErrorCode::kUnavailable);
}

bool HostAllowsDatagramIcmp() {
  std::ifstream range("/proc/sys/net/ipv4/ping_group_range");
  long low = 1, high = 0;
  range >> low >> high;
  return low <= static_cast<long>(::getgid()) && static_cast<long>(::getgid()) <= high;
}

class IcmpSocketTest : public ::testing::TestWithParam<IpVersion> {};

// In a namespace of its own: a raw socket receives every ICMP packet of its namespace, so in the
// host's, another test's or process's echoes on loopback (ctest runs tests in parallel) would
// reach it and fail the check that nothing else gets through.
TEST_P(IcmpSocketTest, RawSocketEchoesLoopback) {
  std::string why_not;
  std::string skip;
  bool ran = net::testing::RunInPrivateNetwork(
      {},
      [&] {
        Result<IcmpSocket> socket = IcmpSocket::Open(GetParam(), SocketPreference::kRawOnly);
        if (!socket && socket.error().code == ErrorCode::kPermission) {
          skip = socket.error().message;
          return;
        }
        ASSERT_TRUE(socket.has_value()) << socket.error().message;
        EXPECT_EQ(socket->kind(), SocketKind::kRaw);
        EchoThreeTimes(*socket);
      },
      &why_not);
  if (!ran) GTEST_SKIP() << why_not;
  if (!skip.empty()) GTEST_SKIP() << skip;
}

TEST_P(IcmpSocketTest, DatagramSocketEchoesLoopbackWhenPingGroupRangeAllows) {
  std::string why_not;
  bool ran = net::testing::RunInPrivateNetwork(
      {.ping_group_range = "0 2147483647"},
      [&] {
        Result<IcmpSocket> socket = IcmpSocket::Open(GetParam(), SocketPreference::kDatagramOnly);
        ASSERT_TRUE(socket.has_value()) << socket.error().message;
        EXPECT_EQ(socket->kind(), SocketKind::kDatagram);
        EXPECT_NE(socket->identifier(), 0);
        EchoThreeTimes(*socket);
      },
      &why_not);
  if (!ran) GTEST_SKIP() << why_not;
}

TEST_P(IcmpSocketTest, DatagramRefusalNamesTheSysctl) {
  std::string why_not;
  bool ran = net::testing::RunInPrivateNetwork(
      {.ping_group_range = "1 0"},
      [&] {
        Result<IcmpSocket> socket = IcmpSocket::Open(GetParam(), SocketPreference::kDatagramOnly);
        ASSERT_FALSE(socket.has_value());
        EXPECT_EQ(socket.error().code, ErrorCode::kPermission);
        EXPECT_NE(socket.error().message.find("net.ipv4.ping_group_range"), std::string::npos)
            << socket.error().message;
        // The default preference falls back to a raw socket where the capability allows.
        Result<IcmpSocket> fallback = IcmpSocket::Open(GetParam());
        if (fallback) {
          EXPECT_EQ(fallback->kind(), SocketKind::kRaw);
        } else {
          EXPECT_NE(fallback.error().message.find("CAP_NET_RAW"), std::string::npos);
        }
      },
      &why_not);
  if (!ran) GTEST_SKIP() << why_not;
}

TEST_P(IcmpSocketTest, DefaultPreferenceFollowsTheHostSysctl) {
  Result<IcmpSocket> socket = IcmpSocket::Open(GetParam());
  if (!socket) GTEST_SKIP() << socket.error().message;
  EXPECT_EQ(socket->kind(), HostAllowsDatagramIcmp() ? SocketKind::kDatagram : SocketKind::kRaw);
  int fd = socket->fd();
  EXPECT_EQ(socket->Release(), fd);
  EXPECT_EQ(socket->fd(), -1);
  ::close(fd);
}

INSTANTIATE_TEST_SUITE_P(Versions, IcmpSocketTest,
                         ::testing::Values(IpVersion::kV4, IpVersion::kV6),
                         [](const auto& param_info) {
                           return param_info.param == IpVersion::kV4 ? "V4" : "V6";
                         });

}  // namespace
}  // namespace linkmon::icmp
