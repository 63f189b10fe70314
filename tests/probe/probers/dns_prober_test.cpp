#include "probe/probers/dns_prober.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "probe/probers/dns_message.h"
#include "tests/probe/probers/recording_listener.h"

namespace linkmon::probers {
namespace {

using boost::asio::ip::make_address;
using boost::asio::ip::udp;
using std::chrono::milliseconds;
using testing::RecordingListener;

// A resolver stand-in on loopback: answers each query by echoing it as a response with the next
// RCODE from `rcodes` (cycling), or with a changed question or ID when told to.
class FakeResolver {
 public:
  FakeResolver(boost::asio::io_context& io, const char* address)
      : socket_(io, udp::endpoint(make_address(address), 0)) {
    Receive();
  }
  udp::endpoint endpoint() const { return socket_.local_endpoint(); }
  std::vector<std::uint8_t> rcodes = {0};
  bool wrong_name = false;
  bool wrong_id = false;

 private:
  void Receive() {
    socket_.async_receive_from(boost::asio::buffer(buffer_), from_,
                               [this](const boost::system::error_code& error, std::size_t size) {
                                 if (error) return;
                                 std::vector<std::uint8_t> reply(buffer_.begin(),
                                                                 buffer_.begin() + size);
                                 reply[2] |= 0x80;
                                 reply[3] = rcodes[count_++ % rcodes.size()];
                                 if (wrong_name) reply[13] ^= 0x01;
                                 if (wrong_id) reply[0] ^= 0x55;
                                 socket_.send_to(boost::asio::buffer(reply), from_);
                                 Receive();
                               });
  }

  udp::socket socket_;
  std::array<std::uint8_t, 512> buffer_{};
  udp::endpoint from_;
  std::size_t count_ = 0;
};

class DnsProberTest : public ::testing::TestWithParam<const char*> {
 protected:
  template <typename Done>
  void RunUntil(Done done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_for(milliseconds(2));
  }
  boost::asio::io_context io_;
  RealClock clock_;
};

TEST_P(DnsProberTest, RecordsEveryAnswerAndCountsRcodes) {
  FakeResolver resolver(io_, GetParam());
  resolver.rcodes = {0, 3, 2, 5};
  RecordingListener listener;
  auto prober = DnsProber::Make(
      io_, clock_, {.resolver = resolver.endpoint(), .query = "Hub.Example.NET."}, listener);
  ASSERT_TRUE(prober.has_value()) << prober.error().message;
  for (std::uint32_t sequence = 0; sequence < 8; ++sequence) {
    ASSERT_TRUE((*prober)->Send(sequence).has_value());
    RunUntil([&] { return listener.replies().size() == sequence + 1; });
  }
  ASSERT_EQ(listener.replies().size(), 8u);
  // A reply handled before its probe's kernel transmit stamp was read falls back to user-space
  // stamps (a loaded machine does that now and then); some replies must be kernel-stamped.
  int kernel_stamped = 0;
  for (std::uint32_t i = 0; i < 8; ++i) {
    EXPECT_EQ(listener.replies()[i].sequence, i);
    EXPECT_GT(listener.replies()[i].rtt, std::chrono::nanoseconds(0));
    if (listener.replies()[i].timestamp_source == stats::TimestampSource::kKernel) {
      ++kernel_stamped;
    }
  }
  EXPECT_GT(kernel_stamped, 0);
  const DnsRcodeCounts& rcodes = (*prober)->rcodes();
  EXPECT_EQ(rcodes.noerror, 2u);
  EXPECT_EQ(rcodes.nxdomain, 2u);
  EXPECT_EQ(rcodes.servfail, 2u);
  EXPECT_EQ(rcodes.refused, 2u);
}

TEST_P(DnsProberTest, ResponsesToAnotherQuestionOrIdAreForeign) {
  FakeResolver resolver(io_, GetParam());
  RecordingListener listener;
  auto prober = DnsProber::Make(
      io_, clock_, {.resolver = resolver.endpoint(), .query = "hub.example.net"}, listener);
  ASSERT_TRUE(prober.has_value());
  resolver.wrong_name = true;
  ASSERT_TRUE((*prober)->Send(1).has_value());
  RunUntil([&] { return (*prober)->counters().foreign_replies == 1; });
  resolver.wrong_name = false;
  resolver.wrong_id = true;
  ASSERT_TRUE((*prober)->Send(2).has_value());
  RunUntil([&] { return (*prober)->counters().foreign_replies == 2; });
  EXPECT_EQ((*prober)->counters().foreign_replies, 2u);
  EXPECT_TRUE(listener.replies().empty());
}

INSTANTIATE_TEST_SUITE_P(Loopback, DnsProberTest, ::testing::Values("127.0.0.1", "::1"),
                         [](const auto& param_info) {
                           return std::string(param_info.param) == "::1" ? "V6" : "V4";
                         });

TEST(DnsProberMakeTest, RefusesABadQueryName) {
  boost::asio::io_context io;
  RealClock clock;
  RecordingListener listener;
  auto prober = DnsProber::Make(
      io, clock, {.resolver = udp::endpoint(make_address("127.0.0.1"), 53), .query = "a..b"},
      listener);
  ASSERT_FALSE(prober.has_value());
  EXPECT_EQ(prober.error().message, "dns prober: dns name 'a..b' has an empty label");
}

}  // namespace
}  // namespace linkmon::probers
