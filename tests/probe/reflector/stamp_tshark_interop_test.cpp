// Interop: Wireshark's TWAMP-Test dissector (tshark -d udp.port==PORT,twamp.test) reads the
// packets of a real exchange between the probe's StampProber and StampReflector, captured live on
// the loopback interface, and finds the sequence numbers, TTL and length where RFC 8762 puts them.
// Wireshark has no STAMP-only dissector; TWAMP-Test's unauthenticated layout is the same (RFC 8762
// §4.2.1).
//
// Needs tshark and permission to capture on lo (root or CAP_NET_RAW); skipped otherwise.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "probe/probers/stamp_prober.h"
#include "probe/reflector/stamp_reflector.h"
#include "probe/stamp/stamp_packet.h"
#include "probe/stamp/timestamp.h"
#include "tests/probe/probers/recording_listener.h"
#include "tests/support/subprocess.h"

namespace linkmon::reflector {
namespace {

namespace fs = std::filesystem;
using boost::asio::ip::make_address;
using boost::asio::ip::udp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A capture running in the background, stopped by PID (never by name) when done or on failure.
class LiveCapture {
 public:
  LiveCapture(std::uint16_t port, int packets, const fs::path& dir)
      : pcap_(dir / "capture.pcapng"), log_(dir / "capture.log") {
    std::string filter = "udp port " + std::to_string(port);
    std::string count = std::to_string(packets);
    pid_ = ::fork();
    if (pid_ == 0) {
      std::FILE* log = std::fopen(log_.c_str(), "w");
      if (log != nullptr) {
        ::dup2(::fileno(log), STDOUT_FILENO);
        ::dup2(::fileno(log), STDERR_FILENO);
      }
      ::execlp("tshark", "tshark", "-i", "lo", "-f", filter.c_str(), "-c", count.c_str(), "-w",
               pcap_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }

  ~LiveCapture() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // Waits until tshark says the capture started (or `timeout`); false if it failed to start.
  // "Capturing on" comes before dumpcap has attached its filter; "Capture started" after.
  bool WaitCapturing(milliseconds timeout) {
    steady_clock::time_point deadline = steady_clock::now() + timeout;
    while (steady_clock::now() < deadline) {
      if (Log().find("Capture started") != std::string::npos) return true;
      if (Exited()) return false;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
  }

  // Waits for tshark to stop by itself after its packet count; false on timeout.
  bool WaitDone(milliseconds timeout) {
    steady_clock::time_point deadline = steady_clock::now() + timeout;
    while (steady_clock::now() < deadline) {
      if (Exited()) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
  }

  std::string Log() const {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  const fs::path& pcap() const { return pcap_; }

 private:
  bool Exited() {
    if (exited_) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) exited_ = true;
    return exited_;
  }

  fs::path pcap_;
  fs::path log_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

TEST(StampTsharkInteropTest, TsharkDecodesTheExchangeAsTwampTest) {
  if (testing::RunCommand({"tshark", "--version"}).exit_code != 0) GTEST_SKIP() << "no tshark";
  fs::path dir = fs::temp_directory_path() / ("linkmon-tshark-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{dir};

  boost::asio::io_context io;
  RealClock clock;
  ReflectorOptions options;
  options.listen = udp::endpoint(make_address("127.0.0.1"), 0);
  auto reflector = StampReflector::Start(io, clock, options);
  ASSERT_TRUE(reflector.has_value()) << reflector.error().message;
  udp::endpoint target = (*reflector)->local_endpoint();

  constexpr int kRequests = 5;
  LiveCapture capture(target.port(), 2 * kRequests, dir);
  if (!capture.WaitCapturing(std::chrono::seconds(10))) {
    GTEST_SKIP() << "cannot capture on lo: " << capture.Log();
  }

  // The probe's own Session-Sender, with 100-byte IPv4 packets: 72 bytes of STAMP payload.
  probers::testing::RecordingListener listener;
  stamp::StampCodec codec = stamp::StampCodec::Unauthenticated();
  auto prober = probers::StampProber::Make(
      io, clock, codec,
      {.reflector = target, .payload_size = probers::StampPayloadSize(100, false, codec)},
      listener);
  ASSERT_TRUE(prober.has_value()) << prober.error().message;
  for (std::uint32_t sequence = 100; sequence < 100 + kRequests; ++sequence) {
    ASSERT_TRUE((*prober)->Send(sequence).has_value());
    io.run_for(milliseconds(20));
  }
  io.run_for(milliseconds(100));
  ASSERT_EQ((*reflector)->counters().reflected_packets, static_cast<std::uint64_t>(kRequests));
  ASSERT_EQ(listener.replies().size(), static_cast<std::size_t>(kRequests));
  ASSERT_TRUE(capture.WaitDone(std::chrono::seconds(10))) << capture.Log();

  testing::CommandResult decoded = testing::RunCommand(
      {"tshark", "-r", capture.pcap().string(), "-d",
       "udp.port==" + std::to_string(target.port()) + ",twamp.test", "-T", "fields", "-E",
       "separator=,", "-e", "udp.dstport", "-e", "twamp.test.seq_number", "-e",
       "twamp.test.sender_seq_number", "-e", "twamp.test.sender_ttl", "-e", "udp.length"});
  ASSERT_EQ(decoded.exit_code, 0) << decoded.output;

  // tshark has no TWAMP-Control session to tell requests from replies, so it reads every packet
  // with the reflector layout; in a request only the first fields (sequence, timestamp) are real.
  std::vector<std::string> requests;
  std::vector<std::string> replies;
  std::istringstream lines(decoded.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(std::to_string(target.port()) + ",", 0) == 0) {
      requests.push_back(line);
    } else if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0]))) {
      replies.push_back(line);
    }
  }
  ASSERT_EQ(requests.size(), static_cast<std::size_t>(kRequests)) << decoded.output;
  ASSERT_EQ(replies.size(), static_cast<std::size_t>(kRequests)) << decoded.output;
  for (int i = 0; i < kRequests; ++i) {
    std::string port = std::to_string(target.port());
    EXPECT_EQ(requests[i].substr(0, requests[i].find(',', port.size() + 1)),
              port + "," + std::to_string(100 + i));
    // Reply: reflector sequence i, sender sequence 100 + i, TTL 64, UDP length 8 + 72.
    std::string tail = std::to_string(i) + "," + std::to_string(100 + i) + ",64,80";
    EXPECT_NE(replies[i].find("," + tail), std::string::npos) << replies[i];
  }
}

}  // namespace
}  // namespace linkmon::reflector
