#include "probe/reflector/stamp_reflector.h"

#include <array>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/ip/v6_only.hpp>

#include "common/logging.h"
#include "probe/net/datagram_io.h"
#include "probe/net/readable_wait.h"
#include "probe/reflector/session_reflector.h"

namespace linkmon::reflector {

namespace {

using boost::asio::ip::udp;

constexpr std::chrono::seconds kRefusalLogInterval{10};

}  // namespace

class StampReflector::Socket : public std::enable_shared_from_this<StampReflector::Socket> {
 public:
  Socket(boost::asio::io_context& io, const Clock& clock, const ReflectorOptions& options,
         stamp::StampCodec codec)
      : clock_(clock),
        options_(options),
        socket_(io),
        reflector_(options, std::move(codec)),
        request_(options.max_packet_bytes),
        reply_(options.max_packet_bytes) {}

  Status Open() {
    boost::system::error_code error;
    udp protocol = options_.listen.protocol();
    socket_.open(protocol, error);
    if (!error && protocol == udp::v6() && options_.listen.address().is_unspecified()) {
      // Listening on "::" answers IPv4 too, reported as IPv4-mapped sources.
      socket_.set_option(boost::asio::ip::v6_only(false), error);
    }
    if (!error) socket_.bind(options_.listen, error);
    if (!error) socket_.non_blocking(true, error);
    if (error) {
      return MakeError(ErrorCode::kIo,
                       fmt::format("reflector: cannot listen on {}: {}",
                                   FormatEndpoint(options_.listen), error.message()));
    }
    int fd = socket_.native_handle();
    int family = protocol.family();
    family_ = family;
    timestamping_ = net::EnableKernelTimestamps(fd, net::TransmitTimestamps::kNotWanted);
    if (Status ttl = net::EnableReceiveTtl(fd, family); !ttl) {
      return MakeError(ErrorCode::kIo, "reflector: " + ttl.error().message);
    }
    if (Status dscp = net::SetDscp(fd, family, options_.dscp); !dscp) {
      return MakeError(ErrorCode::kIo, "reflector: " + dscp.error().message);
    }
    return {};
  }

  void WaitReadable() {
    net::AsyncWaitReadable(socket_, "reflector",
                           [self = shared_from_this()] { self->HandleReadable(); });
  }

  void Close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  udp::endpoint local_endpoint() const {
    boost::system::error_code ignored;
    return socket_.local_endpoint(ignored);
  }
  net::KernelTimestamping timestamping() const { return timestamping_; }
  SessionReflector& reflector() { return reflector_; }

 private:
  static std::string FormatEndpoint(const udp::endpoint& endpoint) {
    return endpoint.address().is_v6()
               ? fmt::format("[{}]:{}", endpoint.address().to_string(), endpoint.port())
               : fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
  }

  void HandleReadable() {
    int fd = socket_.native_handle();
    for (std::size_t handled = 0; handled < options_.max_packets_per_turn; ++handled) {
      Result<net::ReceivedDatagram> received = net::ReceiveDatagram(fd, request_);
      if (!received) {
        if (received.error().code != ErrorCode::kUnavailable) {
          spdlog::warn("event=reflector_receive_failed error={}",
                       KvQuote(received.error().message));
        }
        if (socket_.is_open()) WaitReadable();
        return;
      }
      Handle(*received);
    }
    // The cap was reached and datagrams may still be queued: waiting again re-arms the socket
    // (Asio's epoll reactor re-registers it), so it wakes at once, after the handlers already
    // queued have had their turn.
    if (socket_.is_open()) WaitReadable();
  }

  void Handle(const net::ReceivedDatagram& received) {
    IncomingDatagram datagram{
        .bytes = std::span<const std::uint8_t>(request_).first(received.size),
        .truncated = received.truncated,
        .source_address = received.source_address,
        .source_port = received.source_port,
        .receive_time = received.kernel_receive_time.value_or(clock_.SystemNow()),
        .ttl = received.ttl,
    };
    auto reply = reflector_.Reflect(datagram, clock_.MonotonicNow(), clock_.SystemNow(), reply_);
    if (!reply) {
      LogRefusal(reply.error(), datagram);
      return;
    }
    Result<net::SocketAddress> to =
        net::SocketAddress::Make(received.source_address, received.source_port, family_);
    Status sent = to ? net::SendDatagram(socket_.native_handle(),
                                         std::span<const std::uint8_t>(reply_).first(*reply), *to)
                     : Status(tl::unexpected(to.error()));
    if (sent) {
      reflector_.CountSent(*reply);
    } else {
      reflector_.CountSendError();
      spdlog::warn("event=reflector_send_failed source={} error={}",
                   KvQuote(received.source_address.to_string()), KvQuote(sent.error().message));
    }
  }

  void LogRefusal(RefusalReason reason, const IncomingDatagram& datagram) {
    auto index = static_cast<std::size_t>(reason);
    MonotonicTime now = clock_.MonotonicNow();
    std::uint64_t total = reflector_.counters().refused_for(reason);
    if (logged_once_[index] && now - last_logged_[index] < kRefusalLogInterval) return;
    spdlog::warn("event=reflector_refused reason={} source={} port={} bytes={} refused_total={}",
                 RefusalReasonName(reason), KvQuote(datagram.source_address.to_string()),
                 datagram.source_port, datagram.bytes.size(), total);
    logged_once_[index] = true;
    last_logged_[index] = now;
  }

  const Clock& clock_;
  ReflectorOptions options_;
  udp::socket socket_;
  SessionReflector reflector_;
  net::KernelTimestamping timestamping_ = net::KernelTimestamping::kNone;
  int family_ = AF_INET;
  std::vector<std::uint8_t> request_;
  std::vector<std::uint8_t> reply_;
  std::array<bool, kRefusalReasonCount> logged_once_{};
  std::array<MonotonicTime, kRefusalReasonCount> last_logged_{};
};

Result<std::unique_ptr<StampReflector>> StampReflector::Start(boost::asio::io_context& io,
                                                              const Clock& clock,
                                                              ReflectorOptions options) {
  if (Status valid = Validate(options); !valid) return tl::unexpected(valid.error());
  stamp::StampCodec codec = stamp::StampCodec::Unauthenticated();
  if (options.key_file) {
    Result<stamp::HmacKey> key = stamp::HmacKey::LoadFile(*options.key_file);
    if (!key) return tl::unexpected(key.error());
    codec = stamp::StampCodec::Authenticated(std::move(*key));
  }
  auto socket = std::make_shared<Socket>(io, clock, options, std::move(codec));
  if (Status opened = socket->Open(); !opened) return tl::unexpected(opened.error());
  socket->WaitReadable();
  udp::endpoint bound = socket->local_endpoint();
  spdlog::info(
      "event=reflector_started address={} port={} mode={} timestamps={} allowed_sources={}",
      KvQuote(bound.address().to_string()), bound.port(),
      options.key_file ? "authenticated" : "unauthenticated",
      net::KernelTimestampingName(socket->timestamping()), options.allowed_sources.size());
  return std::unique_ptr<StampReflector>(new StampReflector(std::move(socket)));
}

StampReflector::StampReflector(std::shared_ptr<Socket> socket) : socket_(std::move(socket)) {}

StampReflector::~StampReflector() { socket_->Close(); }

udp::endpoint StampReflector::local_endpoint() const { return socket_->local_endpoint(); }

net::KernelTimestamping StampReflector::timestamping() const { return socket_->timestamping(); }

const ReflectorCounters& StampReflector::counters() const {
  return socket_->reflector().counters();
}

std::size_t StampReflector::session_count() const { return socket_->reflector().session_count(); }

void StampReflector::SetClockErrorEstimate(stamp::ErrorEstimate estimate) {
  socket_->reflector().SetClockErrorEstimate(estimate);
}

}  // namespace linkmon::reflector
