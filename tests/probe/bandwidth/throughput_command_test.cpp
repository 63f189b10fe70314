// `measure --method throughput` end to end: arguments, the key file, a real test against a
// responder on loopback (its JSON), and refusals as exit codes.

#include "probe/bandwidth/throughput_command.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "probe/bandwidth/throughput_responder.h"

namespace linkmon::bandwidth {
namespace {

constexpr const char* kKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

class ThroughputCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_file_ = ::testing::TempDir() + "throughput_command_test_" + std::to_string(::getpid());
    std::ofstream(key_file_) << kKeyHex << "\n";
    ::chmod(key_file_.c_str(), 0600);
    ThroughputResponderOptions options;
    options.listen = {boost::asio::ip::make_address("127.0.0.1"), 0};
    options.allowed_sources = {*net::IpPrefix::Parse("127.0.0.0/8")};
    options.max_rate = Bandwidth{20'000'000};
    options.drain = std::chrono::milliseconds(100);
    auto responder =
        ThroughputResponder::Start(io_, clock_, options, *stamp::HmacKey::FromHex(kKeyHex));
    ASSERT_TRUE(responder) << responder.error().message;
    responder_ = std::move(*responder);
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
    std::filesystem::remove(key_file_);
  }

  int Run(std::vector<std::string> args) {
    args.insert(args.begin(), "measure");
    std::vector<const char*> argv;
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    out_.str("");
    err_.str("");
    return RunThroughputCommand(static_cast<int>(argv.size()), argv.data(), out_, err_);
  }

  std::string Target() { return "127.0.0.1:" + std::to_string(responder_->port()); }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  RealClock clock_;
  std::unique_ptr<ThroughputResponder> responder_;
  std::thread thread_;
  std::string key_file_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(ThroughputCommandTest, RunsAUdpTestAndPrintsJson) {
  ASSERT_EQ(Run({"--method", "throughput", "--target", Target(), "--key-file", key_file_, "--mode",
                 "udp", "--rate", "2Mbps", "--duration", "300ms", "--size", "500", "--json"}),
            0)
      << err_.str();
  auto json = nlohmann::json::parse(out_.str());
  EXPECT_EQ(json["mode"], "udp");
  EXPECT_EQ(json["granted_rate_bits_per_second"], 2'000'000);
  // (75,000 - 2,048) bytes of budget / 542 wire bytes per datagram.
  EXPECT_EQ(json["sent_datagrams"], 134);
  EXPECT_EQ(json["received_datagrams"], 134);
  EXPECT_EQ(json["loss_ratio"], 0.0);
  EXPECT_EQ(json["rtt_under_load_seconds"]["count"], 9);
}

TEST_F(ThroughputCommandTest, RefusalAndBadArgumentsAreExitCodes) {
  EXPECT_EQ(
      Run({"--target", Target(), "--key-file", key_file_, "--rate", "30Mbps", "--duration", "1s"}),
      1);
  EXPECT_EQ(err_.str(),
            "linkmon-probe measure: throughput test refused: rate_above_cap (responder's caps: "
            "20Mbps, 10s)\n");
  EXPECT_EQ(Run({"--target", "127.0.0.1:0", "--key-file", key_file_}), 2);
  EXPECT_EQ(err_.str(), "linkmon-probe measure: --target: bad port in '127.0.0.1:0'\n");
  EXPECT_EQ(Run({"--target", "[::1", "--key-file", key_file_}), 2);
  EXPECT_EQ(err_.str(), "linkmon-probe measure: --target: missing ']'\n");
  EXPECT_EQ(Run({"--target", Target(), "--key-file", key_file_, "--mode", "icmp"}), 2);
  EXPECT_EQ(err_.str(), "linkmon-probe measure: --mode must be udp or tcp\n");
  EXPECT_EQ(Run({"--target", Target(), "--key-file", key_file_ + ".missing"}), 1);
  EXPECT_EQ(Run({"--target", Target()}), 2);  // --key-file is required
}

}  // namespace
}  // namespace linkmon::bandwidth
