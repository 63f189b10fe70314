#include "probe/probers/tcp_connect_prober.h"

#include <sys/socket.h>

#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "tests/probe/probers/recording_listener.h"

namespace linkmon::probers {
namespace {

using boost::asio::ip::make_address;
using boost::asio::ip::tcp;
using std::chrono::milliseconds;
using testing::RecordingListener;

class TcpConnectProberTest : public ::testing::TestWithParam<const char*> {
 protected:
  template <typename Done>
  void RunUntil(Done done, milliseconds limit = milliseconds(3000)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (io_.stopped()) io_.restart();  // it stops whenever no attempt is pending
      io_.run_for(milliseconds(2));
    }
  }

  boost::asio::io_context io_;
  RealClock clock_;
};

TEST_P(TcpConnectProberTest, MeasuresTheHandshakeToAListener) {
  tcp::acceptor acceptor(io_, tcp::endpoint(make_address(GetParam()), 0));
  RecordingListener listener;
  auto prober =
      TcpConnectProber::Make(io_, clock_, {.target = acceptor.local_endpoint()}, listener);
  ASSERT_TRUE(prober.has_value()) << prober.error().message;
  for (std::uint32_t sequence = 0; sequence < 5; ++sequence) {
    ASSERT_TRUE((*prober)->Send(sequence).has_value());
    RunUntil([&] { return listener.replies().size() == sequence + 1; });
  }
  ASSERT_EQ(listener.replies().size(), 5u);
  // A reply handled before its probe's kernel transmit stamp was read falls back to user-space
  // stamps (a loaded machine does that now and then); some replies must be kernel-stamped.
  int kernel_stamped = 0;
  for (const stats::ProbeReply& reply : listener.replies()) {
    EXPECT_GT(reply.rtt, std::chrono::nanoseconds(0));
    if (reply.timestamp_source == stats::TimestampSource::kKernel) ++kernel_stamped;
  }
  EXPECT_GT(kernel_stamped, 0);
  EXPECT_EQ((*prober)->outcomes().established, 5u);
}

TEST_P(TcpConnectProberTest, TellsRefusedFromTimedOut) {
  RecordingListener listener;
  // Refused: a port nothing listens on answers the SYN with RST.
  tcp::acceptor closed(io_, tcp::endpoint(make_address(GetParam()), 0));
  tcp::endpoint nobody = closed.local_endpoint();
  closed.close();
  auto refused = TcpConnectProber::Make(io_, clock_, {.target = nobody}, listener);
  ASSERT_TRUE(refused.has_value());
  ASSERT_TRUE((*refused)->Send(1).has_value());
  RunUntil([&] { return (*refused)->outcomes().refused == 1; });
  EXPECT_EQ((*refused)->outcomes().refused, 1u);

  // Timed out: a listener whose accept queue is full drops further SYNs, so the handshake never
  // completes within the timeout.
  tcp::acceptor full(io_);
  full.open(tcp::endpoint(make_address(GetParam()), 0).protocol());
  full.bind(tcp::endpoint(make_address(GetParam()), 0));
  full.listen(0);
  std::vector<std::unique_ptr<tcp::socket>> fillers;
  for (int i = 0; i < 4; ++i) {
    auto filler = std::make_unique<tcp::socket>(io_);
    filler->open(full.local_endpoint().protocol());
    filler->non_blocking(true);
    // The system call itself: Asio's synchronous connect would wait for completion.
    tcp::endpoint target = full.local_endpoint();
    (void)::connect(filler->native_handle(), target.data(), static_cast<socklen_t>(target.size()));
    fillers.push_back(std::move(filler));
  }
  io_.run_for(milliseconds(50));
  auto silent = TcpConnectProber::Make(
      io_, clock_, {.target = full.local_endpoint(), .timeout = milliseconds(300)}, listener);
  ASSERT_TRUE(silent.has_value());
  ASSERT_TRUE((*silent)->Send(2).has_value());
  RunUntil([&] { return (*silent)->outcomes().timed_out == 1; });
  EXPECT_EQ((*silent)->outcomes().timed_out, 1u);
  EXPECT_EQ((*silent)->outcomes().established, 0u);
  EXPECT_TRUE(listener.replies().empty());
  EXPECT_EQ(listener.sent().size(), 2u);
}

TEST_P(TcpConnectProberTest, BoundsAttemptsInFlight) {
  tcp::acceptor acceptor(io_, tcp::endpoint(make_address(GetParam()), 0));
  RecordingListener listener;
  auto prober = TcpConnectProber::Make(
      io_, clock_, {.target = acceptor.local_endpoint(), .max_in_flight = 2}, listener);
  ASSERT_TRUE(prober.has_value());
  EXPECT_TRUE((*prober)->Send(1).has_value());
  EXPECT_TRUE((*prober)->Send(2).has_value());
  EXPECT_FALSE((*prober)->Send(3).has_value());
  EXPECT_EQ((*prober)->counters().send_errors, 1u);
  RunUntil([&] { return listener.replies().size() == 2; });
  EXPECT_EQ(listener.replies().size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Loopback, TcpConnectProberTest, ::testing::Values("127.0.0.1", "::1"),
                         [](const auto& param_info) {
                           return std::string(param_info.param) == "::1" ? "V6" : "V4";
                         });

TEST(TcpConnectProberMakeTest, RefusesATargetWithoutPort) {
  boost::asio::io_context io;
  RealClock clock;
  RecordingListener listener;
  EXPECT_EQ(
      TcpConnectProber::Make(io, clock, {.target = tcp::endpoint(make_address("::1"), 0)}, listener)
          .error()
          .message,
      "tcp prober: the target needs a port");
}

}  // namespace
}  // namespace linkmon::probers
