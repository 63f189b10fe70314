#include "probe/probers/stamp_prober.h"

#include <vector>

#include <fmt/format.h>

#include "common/logging.h"
#include "probe/net/datagram_io.h"
#include "probe/net/readable_wait.h"
#include "probe/probers/kernel_time.h"
#include "probe/probers/sent_probes.h"
#include "probe/probers/transmit_stamps.h"
#include "probe/stamp/timestamp.h"

namespace linkmon::probers {

namespace {

using boost::asio::ip::udp;

constexpr std::size_t kIpv4HeaderBytes = 20;
constexpr std::size_t kIpv6HeaderBytes = 40;
constexpr std::size_t kUdpHeaderBytes = 8;
// Replies are never longer than our requests; anything longer is not ours.
constexpr std::size_t kMaxReplyBytes = 9'000;

}  // namespace

std::size_t StampPayloadSize(int ip_packet_size, bool ipv6, const stamp::StampCodec& codec) {
  std::size_t headers = (ipv6 ? kIpv6HeaderBytes : kIpv4HeaderBytes) + kUdpHeaderBytes;
  std::size_t size = ip_packet_size > 0 ? static_cast<std::size_t>(ip_packet_size) : 0;
  return size > headers + codec.base_size() ? size - headers : codec.base_size();
}

class StampProber::Session : public std::enable_shared_from_this<StampProber::Session> {
 public:
  Session(boost::asio::io_context& io, const Clock& clock, stamp::StampCodec codec,
          const StampProberOptions& options, ProbeListener& listener)
      : clock_(clock),
        codec_(std::move(codec)),
        options_(options),
        listener_(&listener),
        socket_(io),
        sent_(options.remembered_probes),
        request_(options.payload_size),
        reply_(kMaxReplyBytes) {}

  Status Open() {
    if (options_.payload_size < codec_.base_size() || options_.payload_size > kMaxReplyBytes) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("stamp prober: payload of {} bytes must be from {} to {}",
                                   options_.payload_size, codec_.base_size(), kMaxReplyBytes));
    }
    boost::system::error_code error;
    socket_.open(options_.reflector.protocol(), error);
    // Connected: the kernel drops datagrams from anyone but the reflector.
    if (!error) socket_.connect(options_.reflector, error);
    if (!error) socket_.non_blocking(true, error);
    if (error) {
      return MakeError(ErrorCode::kIo,
                       fmt::format("stamp prober: cannot open a socket to {}: {}",
                                   options_.reflector.address().to_string(), error.message()));
    }
    int fd = socket_.native_handle();
    int family = options_.reflector.protocol().family();
    timestamping_ = net::EnableKernelTimestamps(fd, net::TransmitTimestamps::kWanted);
    if (Status dscp = net::SetDscp(fd, family, options_.dscp); !dscp) {
      return MakeError(ErrorCode::kIo, "stamp prober: " + dscp.error().message);
    }
    Result<net::SocketAddress> to =
        net::SocketAddress::Make(options_.reflector.address(), options_.reflector.port(), family);
    if (!to) return tl::unexpected(to.error());
    destination_ = *to;
    return {};
  }

  Status Send(std::uint32_t sequence) {
    if (!socket_.is_open()) return MakeError(ErrorCode::kUnavailable, "stamp prober: closed");
    SentProbe probe;
    probe.monotonic = clock_.MonotonicNow();
    probe.wall = clock_.SystemNow();
    stamp::SenderPacket packet{.sequence = sequence,
                               .timestamp = stamp::ToNtp(probe.wall),
                               .error_estimate = local_clock_};
    if (Status encoded = codec_.EncodeSender(packet, request_); !encoded) return encoded;
    Status sent = net::SendDatagram(socket_.native_handle(), request_, destination_);
    if (!sent) {
      ++counters_.send_errors;
      return MakeError(sent.error().code, "stamp prober: " + sent.error().message);
    }
    sent_.Add(sequence, transmit_count_++, probe);
    transmit_stamps_.OnSent();
    counters_.kernel_transmit_stamps +=
        transmit_stamps_.Collect(socket_.native_handle(), sent_, /*limit=*/1);
    ++counters_.probes_sent;
    listener_->OnSent({.sequence = sequence, .sent = probe.monotonic});
    return {};
  }

  void WaitReadable() {
    net::AsyncWaitReadable(socket_, "stamp_prober",
                           [self = shared_from_this()] { self->HandleReadable(); });
  }

  void Close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  const ProberCounters& counters() const { return counters_; }
  net::KernelTimestamping timestamping() const { return timestamping_; }
  void SetClockErrorEstimate(stamp::ErrorEstimate estimate) { local_clock_ = estimate; }
  udp::endpoint local_endpoint() const {
    boost::system::error_code ignored;
    return socket_.local_endpoint(ignored);
  }

 private:
  void HandleReadable() {
    int fd = socket_.native_handle();
    // Transmit timestamps first, so that replies find their probe's kernel send time.
    counters_.kernel_transmit_stamps +=
        transmit_stamps_.Collect(fd, sent_, options_.max_replies_per_turn);
    // One reply per wake-up: waiting again re-arms the socket, which wakes at once if more are
    // queued, while reading until EAGAIN would cost a system call per wake-up for nothing (a
    // target has one probe a second in flight).
    Result<net::ReceivedDatagram> received = net::ReceiveDatagram(fd, reply_);
    if (received) {
      HandleReply(*received);
    } else if (received.error().code != ErrorCode::kUnavailable) {
      // ECONNREFUSED: an ICMP port unreachable for an earlier probe; the probe is simply lost.
      spdlog::debug("event=stamp_prober_receive_error reflector={} error={}",
                    KvQuote(options_.reflector.address().to_string()),
                    KvQuote(received.error().message));
    }
    if (socket_.is_open()) WaitReadable();
  }

  void HandleReply(const net::ReceivedDatagram& received) {
    if (received.truncated) {
      ++counters_.malformed_replies;
      return;
    }
    Result<stamp::ReflectorPacket> reply =
        codec_.DecodeReflector(std::span<const std::uint8_t>(reply_).first(received.size));
    if (!reply) {
      ++counters_.malformed_replies;
      return;
    }
    std::optional<SentProbe> probe = sent_.Find(reply->sender_sequence);
    // The timestamp it carried is made again from the wall time it was sent at (ToNtp is exact
    // arithmetic), rather than kept in every remembered probe.
    if (!probe || stamp::ToNtp(probe->wall) != reply->sender_timestamp) {
      ++counters_.foreign_replies;
      return;
    }
    stamp::TimestampFormat reflector_format = reply->error_estimate.format;
    SystemTime t2 = stamp::FromWireTimestamp(reply->receive_timestamp, reflector_format);
    SystemTime t3 = stamp::FromWireTimestamp(reply->timestamp, reflector_format);
    if (t3 < t2) {  // a reflector whose send precedes its receive: its clock stepped
      ++counters_.malformed_replies;
      return;
    }
    auto residence = std::chrono::duration_cast<std::chrono::nanoseconds>(t3 - t2);

    stats::ProbeReply event;
    event.sequence = reply->sender_sequence;
    SystemTime t4_wall;
    SystemTime t1_wall = probe->kernel.value_or(probe->wall);
    if (received.kernel_receive_time) {
      t4_wall = *received.kernel_receive_time;
      event.arrival = KernelTimeToMonotonic(t4_wall, clock_);
    } else {
      event.arrival = clock_.MonotonicNow();
      t4_wall = clock_.SystemNow();
    }
    if (probe->kernel && received.kernel_receive_time) {
      event.rtt = std::chrono::duration_cast<std::chrono::nanoseconds>(t4_wall - *probe->kernel) -
                  residence;
      event.timestamp_source = stats::TimestampSource::kKernel;
    } else {
      event.rtt =
          std::chrono::duration_cast<std::chrono::nanoseconds>(event.arrival - probe->monotonic) -
          residence;
      event.timestamp_source = stats::TimestampSource::kUserspace;
    }
    event.one_way = stats::OneWayDelays{
        .forward = std::chrono::duration_cast<std::chrono::nanoseconds>(t2 - t1_wall),
        .reverse = std::chrono::duration_cast<std::chrono::nanoseconds>(t4_wall - t3),
    };
    bool synchronized = local_clock_.synchronized && reply->error_estimate.synchronized &&
                        reply->sender_error_estimate.synchronized;
    event.clock_sync =
        synchronized ? stats::ClockSync::kBothSynchronized : stats::ClockSync::kNotSynchronized;
    ++counters_.replies;
    listener_->OnReply(event);
  }

  const Clock& clock_;
  stamp::StampCodec codec_;
  StampProberOptions options_;
  ProbeListener* listener_;
  udp::socket socket_;
  net::SocketAddress destination_;
  net::KernelTimestamping timestamping_ = net::KernelTimestamping::kNone;
  SentProbes sent_;
  std::uint32_t transmit_count_ = 0;
  TransmitStamps transmit_stamps_;  // datagrams sent since timestamping was enabled
  stamp::ErrorEstimate local_clock_;
  ProberCounters counters_;
  std::vector<std::uint8_t> request_;
  std::vector<std::uint8_t> reply_;
};

Result<std::unique_ptr<StampProber>> StampProber::Make(boost::asio::io_context& io,
                                                       const Clock& clock, stamp::StampCodec codec,
                                                       const StampProberOptions& options,
                                                       ProbeListener& listener) {
  auto session = std::make_shared<Session>(io, clock, std::move(codec), options, listener);
  if (Status opened = session->Open(); !opened) return tl::unexpected(opened.error());
  session->WaitReadable();
  return std::unique_ptr<StampProber>(new StampProber(std::move(session)));
}

StampProber::StampProber(std::shared_ptr<Session> session) : session_(std::move(session)) {}

StampProber::~StampProber() { session_->Close(); }

Status StampProber::Send(std::uint32_t sequence) { return session_->Send(sequence); }

const ProberCounters& StampProber::counters() const { return session_->counters(); }

void StampProber::SetClockErrorEstimate(stamp::ErrorEstimate estimate) {
  session_->SetClockErrorEstimate(estimate);
}

net::KernelTimestamping StampProber::timestamping() const { return session_->timestamping(); }

boost::asio::ip::udp::endpoint StampProber::local_endpoint() const {
  return session_->local_endpoint();
}

}  // namespace linkmon::probers
