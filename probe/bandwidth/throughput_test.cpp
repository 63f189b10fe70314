#include "probe/bandwidth/throughput_test.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <thread>

namespace linkmon::bandwidth {
namespace {

using Steady = std::chrono::steady_clock;

constexpr std::size_t kLinkHeaderBytes = 14;
constexpr std::size_t kTcpChunkBytes = 16 * 1024;
// Wire bytes of the control exchange (handshake, request, answer, end mark, report, their
// acknowledgments and the close), taken from the test's byte budget so that everything the test
// sends stays within rate * duration.
constexpr double kControlBytes = 2048;

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Error SystemError(ErrorCode code, const std::string& what) {
  return Error{code, "throughput test: " + what + ": " + std::strerror(errno)};
}

socklen_t ToSockaddr(const boost::asio::ip::address& address, std::uint16_t port,
                     sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (address.is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    const auto bytes = address.to_v4().to_bytes();
    std::memcpy(&in->sin_addr, bytes.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port);
  const auto bytes = address.to_v6().to_bytes();
  std::memcpy(&in6->sin6_addr, bytes.data(), 16);
  in6->sin6_scope_id = static_cast<std::uint32_t>(address.to_v6().scope_id());
  return sizeof(sockaddr_in6);
}

// Waits until `fd` is ready for `events` or `deadline` passes; false on timeout.
bool WaitReady(int fd, short events, Steady::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    if (left.count() < 0) return false;
    pollfd entry{fd, events, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left.count()) + 1);
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

Status WriteAll(int fd, std::span<const std::uint8_t> bytes, Steady::time_point deadline) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent > 0) {
      bytes = bytes.subspan(static_cast<std::size_t>(sent));
      continue;
    }
    if (sent < 0 && errno != EAGAIN && errno != EINTR) {
      return tl::unexpected(SystemError(ErrorCode::kUnavailable, "control write"));
    }
    if (!WaitReady(fd, POLLOUT, deadline)) {
      return MakeError(ErrorCode::kUnavailable, "throughput test: control write timed out");
    }
  }
  return {};
}

Status ReadExact(int fd, std::span<std::uint8_t> out, Steady::time_point deadline,
                 const char* what) {
  while (!out.empty()) {
    const ssize_t got = ::recv(fd, out.data(), out.size(), MSG_DONTWAIT);
    if (got > 0) {
      out = out.subspan(static_cast<std::size_t>(got));
      continue;
    }
    if (got == 0) {
      return MakeError(ErrorCode::kUnavailable,
                       std::string("throughput test: responder closed before the ") + what);
    }
    if (errno != EAGAIN && errno != EINTR) {
      return tl::unexpected(
          SystemError(ErrorCode::kUnavailable, std::string("reading the ") + what));
    }
    if (!WaitReady(fd, POLLIN, deadline)) {
      return MakeError(ErrorCode::kUnavailable,
                       std::string("throughput test: no ") + what + " before the deadline");
    }
  }
  return {};
}

Result<int> Connect(const ThroughputTestOptions& options, Steady::time_point deadline) {
  sockaddr_storage address;
  const socklen_t length = ToSockaddr(options.target, options.port, address);
  const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return tl::unexpected(SystemError(ErrorCode::kIo, "socket"));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 && errno != EINPROGRESS) {
    const Error error = SystemError(ErrorCode::kUnavailable, "connect");
    ::close(fd);
    return tl::unexpected(error);
  }
  if (!WaitReady(fd, POLLOUT, deadline)) {
    ::close(fd);
    return MakeError(ErrorCode::kUnavailable, "throughput test: connect timed out");
  }
  int socket_error = 0;
  socklen_t size = sizeof socket_error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &socket_error, &size);
  if (socket_error != 0) {
    ::close(fd);
    errno = socket_error;
    return tl::unexpected(SystemError(ErrorCode::kUnavailable, "connect"));
  }
  return fd;
}

std::chrono::nanoseconds ToNanoseconds(double seconds) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(seconds));
}

Bandwidth RateOf(std::uint64_t bytes, std::chrono::nanoseconds span) {
  if (span <= std::chrono::nanoseconds::zero()) return Bandwidth{0};
  return Bandwidth{static_cast<std::uint64_t>(static_cast<double>(bytes) * 8 /
                                              std::chrono::duration<double>(span).count())};
}

void ReadEchoes(int fd, std::uint32_t session, ThroughputResult& result) {
  std::array<std::uint8_t, 64> buffer;
  for (;;) {
    const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (got <= 0) return;
    auto header = DecodeDatagramHeader(
        std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(got)), true);
    if (!header || header->session != session) continue;
    const auto now = Steady::now().time_since_epoch();
    const auto rtt = std::chrono::duration_cast<std::chrono::nanoseconds>(now) - header->sent;
    if (rtt > std::chrono::nanoseconds::zero()) result.rtt_under_load.Record(rtt);
  }
}

Status RunUdp(int control, const ThroughputTestOptions& options, ThroughputResult& result,
              const Nonce& nonce, const stamp::HmacKey& key) {
  sockaddr_storage address;
  const socklen_t length = ToSockaddr(options.target, result.grant.udp_port, address);
  Fd data(::socket(address.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (data.get() < 0) return tl::unexpected(SystemError(ErrorCode::kIo, "UDP socket"));
  if (::connect(data.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    return tl::unexpected(SystemError(ErrorCode::kIo, "UDP connect"));
  }
  const int buffer_bytes = 4 * 1024 * 1024;
  ::setsockopt(data.get(), SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
  std::vector<std::uint8_t> datagram(options.datagram_bytes, 0);
  const double wire_bits =
      static_cast<double>(UdpWireBytes(options.datagram_bytes, options.target.is_v6())) * 8;
  const auto gap =
      ToNanoseconds(wire_bits / static_cast<double>(result.grant.rate.bits_per_second));
  const auto start = Steady::now();
  const auto end = start + result.grant.duration;
  auto next = start;
  std::uint32_t sequence = 0;
  // Whole datagrams only: the budget is rate * duration less the control exchange.
  const double budget = static_cast<double>(result.grant.rate.bits_per_second) / 8 *
                            std::chrono::duration<double>(result.grant.duration).count() -
                        kControlBytes;
  const auto datagrams = static_cast<std::uint64_t>(std::max(0.0, budget) * 8 / wire_bits);
  // Time-boxed as well: a sender that cannot keep up with its schedule (a slow or busy host)
  // stops at the end of the duration, not when the schedule's last slot comes up.
  while (sequence < datagrams && next < end) {
    const auto now = Steady::now();
    if (now >= end) break;
    if (now < next) {
      ReadEchoes(data.get(), result.grant.session, result);
      std::this_thread::sleep_until(next);
      continue;
    }
    DatagramHeader header{
        result.grant.session, sequence,
        std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now().time_since_epoch())};
    EncodeDatagramHeader(
        header, false,
        std::span<std::uint8_t, kDatagramHeaderBytes>(datagram.data(), kDatagramHeaderBytes));
    const ssize_t sent = ::send(data.get(), datagram.data(), datagram.size(), 0);
    if (sent < 0 && errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED) {
      return tl::unexpected(SystemError(ErrorCode::kIo, "UDP send"));
    }
    // A datagram the kernel refused still took its slot: the schedule never speeds up.
    if (sent > 0) {
      ++result.sent_datagrams;
      result.sent_bytes += static_cast<std::uint64_t>(sent);
    }
    ++sequence;
    next += gap;
  }
  result.send_time = Steady::now() - start;
  const std::uint8_t end_mark = 'E';
  const auto deadline = Steady::now() + options.control_timeout;
  if (auto wrote = WriteAll(control, std::span<const std::uint8_t>(&end_mark, 1), deadline);
      !wrote) {
    return wrote;
  }
  // Echoes of the last datagrams arrive while the responder drains.
  ReportBytes report{};
  std::size_t have = 0;
  while (have < report.size()) {
    pollfd fds[2] = {{control, POLLIN, 0}, {data.get(), POLLIN, 0}};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    if (left.count() < 0) {
      return MakeError(ErrorCode::kUnavailable, "throughput test: no report before the deadline");
    }
    if (::poll(fds, 2, static_cast<int>(left.count()) + 1) < 0 && errno != EINTR) {
      return tl::unexpected(SystemError(ErrorCode::kIo, "poll"));
    }
    if (fds[1].revents & POLLIN) ReadEchoes(data.get(), result.grant.session, result);
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t got = ::recv(control, report.data() + have, report.size() - have, MSG_DONTWAIT);
      if (got == 0) {
        return MakeError(ErrorCode::kUnavailable,
                         "throughput test: responder closed before the report");
      }
      if (got > 0) have += static_cast<std::size_t>(got);
    }
  }
  auto decoded = DecodeReport(report, nonce, key);
  if (!decoded) return tl::unexpected(decoded.error());
  result.report = *decoded;
  if (result.sent_datagrams > 0) {
    const double received =
        static_cast<double>(std::min(result.report.datagrams, result.sent_datagrams));
    result.loss_ratio = 1 - received / static_cast<double>(result.sent_datagrams);
  }
  return {};
}

// glibc's tcp_info stops at tcpi_total_retrans; the kernel's goes on (linux/tcp.h, which cannot be
// included next to netinet/tcp.h) with the pacing rates and then tcpi_bytes_acked (Linux 4.1).
struct KernelTcpInfo {
  tcp_info base;
  std::uint64_t pacing_rate;
  std::uint64_t max_pacing_rate;
  std::uint64_t bytes_acked;
};
static_assert(offsetof(KernelTcpInfo, bytes_acked) == 120);

std::uint64_t AckedBytes(int fd) {
  KernelTcpInfo info{};
  socklen_t size = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return 0;
  if (size < sizeof info) return 0;
  return info.bytes_acked;
}

Status RunTcp(int control, const ThroughputTestOptions& options, ThroughputResult& result,
              const Nonce& nonce, const stamp::HmacKey& key) {
  int mss = 1448;
  socklen_t size = sizeof mss;
  ::getsockopt(control, IPPROTO_TCP, TCP_MAXSEG, &mss, &size);
  if (mss <= 0) mss = 536;
  const double headers = (options.target.is_v6() ? 40 : 20) + 32 + kLinkHeaderBytes;
  const double payload_rate = static_cast<double>(result.grant.rate.bits_per_second) * mss /
                              (mss + headers) / 8;  // bytes per second
  std::array<std::uint8_t, kTcpChunkBytes> chunk{};
  // Payload that fits in rate * duration, less the control exchange, with each segment's headers.
  const double budget =
      std::max(0.0, static_cast<double>(result.grant.rate.bits_per_second) / 8 *
                            std::chrono::duration<double>(result.grant.duration).count() -
                        kControlBytes) *
      mss / (mss + headers);
  const auto start = Steady::now();
  const auto end = start + result.grant.duration;
  auto next_sample = start + options.sample_every;
  std::uint64_t acked_at_last_sample = AckedBytes(control);
  while (Steady::now() < end && static_cast<double>(result.sent_bytes) < budget) {
    const auto now = Steady::now();
    if (now >= next_sample) {
      const std::uint64_t acked = AckedBytes(control);
      result.goodput_series.push_back(RateOf(acked - acked_at_last_sample, options.sample_every));
      acked_at_last_sample = acked;
      next_sample += options.sample_every;
    }
    const double want = std::min(static_cast<double>(chunk.size()),
                                 budget - static_cast<double>(result.sent_bytes));
    const double allowed = payload_rate * std::chrono::duration<double>(now - start).count() -
                           static_cast<double>(result.sent_bytes);
    if (allowed < want) {
      const auto wait = ToNanoseconds((want - allowed) / payload_rate);
      std::this_thread::sleep_until(std::min({now + wait, end, next_sample}));
      continue;
    }
    const ssize_t sent =
        ::send(control, chunk.data(), static_cast<std::size_t>(want), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent > 0) {
      result.sent_bytes += static_cast<std::uint64_t>(sent);
    } else if (sent < 0 && errno != EAGAIN && errno != EINTR) {
      return tl::unexpected(SystemError(ErrorCode::kUnavailable, "TCP send"));
    } else {
      WaitReady(control, POLLOUT, std::min(end, next_sample));
    }
  }
  result.send_time = Steady::now() - start;
  ::shutdown(control, SHUT_WR);
  ReportBytes report{};
  auto read = ReadExact(control, report, Steady::now() + options.control_timeout, "report");
  if (!read) return read;
  auto decoded = DecodeReport(report, nonce, key);
  if (!decoded) return tl::unexpected(decoded.error());
  result.report = *decoded;
  return {};
}

}  // namespace

std::uint64_t UdpWireBytes(std::uint16_t payload, bool ipv6) {
  return std::uint64_t{payload} + 8 + (ipv6 ? 40 : 20) + kLinkHeaderBytes;
}

Result<ThroughputResult> RunThroughputTest(const ThroughputTestOptions& options,
                                           const stamp::HmacKey& key) {
  if (options.rate.bits_per_second == 0 || options.duration.count() <= 0 ||
      options.sample_every.count() <= 0 ||
      (options.mode == TestMode::kUdp &&
       (options.datagram_bytes < kDatagramHeaderBytes || options.datagram_bytes > 65000))) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "throughput test: rate and duration must be positive, datagram size "
                     "20-65000 bytes");
  }
  const auto deadline = Steady::now() + options.control_timeout;
  auto connected = Connect(options, deadline);
  if (!connected) return tl::unexpected(connected.error());
  Fd control(*connected);
  const int no_delay = 1;
  ::setsockopt(control.get(), IPPROTO_TCP, TCP_NODELAY, &no_delay, sizeof no_delay);

  TestRequest request{
      .mode = options.mode,
      .rate = options.rate,
      .duration = options.duration,
      .datagram_bytes = options.mode == TestMode::kUdp ? options.datagram_bytes : std::uint16_t{0},
      .nonce = {},
      .sent_unix = std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::system_clock::now().time_since_epoch())};
  if (RAND_bytes(request.nonce.data(), static_cast<int>(request.nonce.size())) != 1) {
    return MakeError(ErrorCode::kIo, "throughput test: no random nonce");
  }
  auto bytes = EncodeRequest(request, key);
  if (!bytes) return tl::unexpected(bytes.error());
  if (auto wrote = WriteAll(control.get(), *bytes, deadline); !wrote) {
    return tl::unexpected(wrote.error());
  }
  ResponseBytes response{};
  if (auto read = ReadExact(control.get(), response, deadline, "answer"); !read) {
    return tl::unexpected(read.error());
  }
  auto grant = DecodeResponse(response, request.nonce, key);
  if (!grant) return tl::unexpected(grant.error());
  if (grant->verdict != TestVerdict::kAccepted) {
    return MakeError(ErrorCode::kPermission,
                     "throughput test refused: " + std::string(TestVerdictName(grant->verdict)) +
                         " (responder's caps: " + FormatBandwidth(grant->rate) + ", " +
                         FormatDuration(grant->duration) + ")");
  }
  ThroughputResult result;
  result.mode = options.mode;
  result.grant = *grant;
  Status ran = options.mode == TestMode::kUdp
                   ? RunUdp(control.get(), options, result, request.nonce, key)
                   : RunTcp(control.get(), options, result, request.nonce, key);
  if (!ran) return tl::unexpected(ran.error());
  result.goodput = RateOf(result.report.bytes, result.report.arrival_span);
  return result;
}

}  // namespace linkmon::bandwidth
