// Live capture of the test's own TCP traffic on the loopback interface
// (127.0.0.1 to 127.0.0.2), through PassiveMonitor on an io_context, as the
// probe daemon runs it. Needs CAP_NET_RAW: skipped, saying so, without it.

#include "probe/passive/pcap_capture.h"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <string>

#include "probe/passive/passive_monitor.h"

namespace linkmon::passive {
namespace {

using boost::asio::ip::tcp;

SitePrefixMap LoopbackSite() {
  return *SitePrefixMap::Create(
      {{*TargetName::Make("peer"), boost::asio::ip::make_address("127.0.0.2"), 32}});
}

TEST(PcapCaptureTest, RefusesAFilterThatDoesNotCompile) {
  boost::asio::io_context io;
  auto capture = PcapCapture::Open(io, {.interface = "lo", .filter = "tcp port banana"});
  ASSERT_FALSE(capture);
  if (capture.error().code == ErrorCode::kPermission) GTEST_SKIP() << "needs CAP_NET_RAW";
  EXPECT_EQ(capture.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(capture.error().message.find("passive capture on 'lo': filter 'tcp port banana' "
                                         "does not compile: "),
            std::string::npos)
      << capture.error().message;
}

TEST(PcapCaptureTest, RefusesAMissingInterface) {
  boost::asio::io_context io;
  auto capture = PcapCapture::Open(io, {.interface = "lmnosuchif0"});
  ASSERT_FALSE(capture);
  EXPECT_NE(capture.error().message.find("passive capture on 'lmnosuchif0'"), std::string::npos)
      << capture.error().message;
}

TEST(PcapCaptureTest, MeasuresOwnLoopbackFlow) {
  boost::asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.2"), 0));
  const std::uint16_t port = acceptor.local_endpoint().port();
  std::vector<PassiveInterval> intervals;
  RealClock clock;
  auto monitor = PassiveMonitor::Start(
      io, clock,
      {.interface = "lo",
       .filter = "tcp port " + std::to_string(port),
       .buffer_timeout = std::chrono::milliseconds(20)},
      {.interval = std::chrono::seconds(1)}, LoopbackSite(),
      [&](const PassiveInterval &interval) { intervals.push_back(interval); });
  if (!monitor && monitor.error().code == ErrorCode::kPermission) {
    GTEST_SKIP() << "needs CAP_NET_RAW: " << monitor.error().message;
  }
  ASSERT_TRUE(monitor) << monitor.error().message;

  // 64 KiB from 127.0.0.1 to 127.0.0.2, echoed back in full, then closed.
  constexpr std::size_t kBytes = 64 * 1024;
  tcp::socket server(io);
  std::vector<char> received(kBytes);
  acceptor.async_accept(server, [&](boost::system::error_code error) {
    ASSERT_FALSE(error);
    boost::asio::async_read(server, boost::asio::buffer(received),
                            [&](boost::system::error_code read_error, std::size_t) {
                              ASSERT_FALSE(read_error);
                              boost::asio::write(server, boost::asio::buffer(received));
                              server.close();
                            });
  });
  tcp::socket client(io);
  client.open(tcp::v4());
  client.bind(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  std::vector<char> sent(kBytes, 'x');
  std::vector<char> echoed(kBytes);
  client.async_connect(acceptor.local_endpoint(), [&](boost::system::error_code error) {
    ASSERT_FALSE(error);
    boost::asio::write(client, boost::asio::buffer(sent));
    boost::asio::async_read(client, boost::asio::buffer(echoed),
                            [&](boost::system::error_code, std::size_t) { client.close(); });
  });
  // Let the capture ring hand everything over (several buffer timeouts), then
  // stop.
  boost::asio::steady_timer stop(io, std::chrono::milliseconds(500));
  stop.async_wait([&](boost::system::error_code) { (*monitor)->Stop(); });
  io.run_for(std::chrono::seconds(10));

  ASSERT_FALSE(intervals.empty());
  TrafficCounts frames, to_peer, from_peer;
  std::uint64_t handshakes = 0;
  std::uint64_t samples = 0;
  for (const PassiveInterval &interval : intervals) {
    frames.packets += interval.frames.packets;
    frames.bytes += interval.frames.bytes;
    for (const SiteInterval &site : interval.sites) {
      EXPECT_EQ(site.site.str(), "peer");
      to_peer.packets += site.to_site.packets;
      to_peer.bytes += site.to_site.bytes;
      from_peer.packets += site.from_site.packets;
      from_peer.bytes += site.from_site.bytes;
      handshakes += site.handshake_samples;
      samples += site.summary.rtt.Count();
    }
  }
  // Every frame of the flow is IPv4 on loopback's Ethernet framing: 14 bytes
  // more than its IP packet, and each goes to or comes from the peer.
  EXPECT_EQ(frames.packets, to_peer.packets + from_peer.packets);
  EXPECT_EQ(frames.bytes, to_peer.bytes + from_peer.bytes + 14 * frames.packets);
  // Both directions carried the 64 KiB plus headers (at most 52 + 40 bytes of
  // headers for each of the segments, which are at least a few hundred bytes
  // each).
  EXPECT_GE(to_peer.bytes, kBytes);
  EXPECT_GE(from_peer.bytes, kBytes);
  EXPECT_LT(to_peer.bytes, kBytes + 20'000);
  // SYN -> SYN-ACK from the peer: one handshake sample (the whole exchange
  // takes well under the 1 ms tick of Linux TCP timestamps, so echoes may add
  // none).
  EXPECT_EQ(handshakes, 1u);
  EXPECT_GE(samples, handshakes);
  EXPECT_EQ((*monitor)->counters().malformed_frames, 0u);
  auto stats = (*monitor)->CaptureStats();
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->dropped, 0u);
}

}  // namespace
}  // namespace linkmon::passive
