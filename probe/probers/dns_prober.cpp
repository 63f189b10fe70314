#include "probe/probers/dns_prober.h"

#include <random>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "common/logging.h"
#include "probe/net/datagram_io.h"
#include "probe/net/readable_wait.h"
#include "probe/probers/dns_message.h"
#include "probe/probers/kernel_time.h"
#include "probe/probers/sent_probes.h"
#include "probe/probers/transmit_stamps.h"

namespace linkmon::probers {

namespace {

using boost::asio::ip::udp;

constexpr std::size_t kMaxResponseBytes = 4'096;

}  // namespace

class DnsProber::Session : public std::enable_shared_from_this<DnsProber::Session> {
 public:
  Session(boost::asio::io_context& io, const Clock& clock, const DnsProberOptions& options,
          std::string name, ProbeListener& listener)
      : clock_(clock),
        options_(options),
        question_{.name = std::move(name)},
        listener_(&listener),
        socket_(io),
        sent_(options.remembered_probes),
        response_(kMaxResponseBytes) {
    std::random_device random;
    id_offset_ = static_cast<std::uint16_t>(random());
  }

  Status Open() {
    boost::system::error_code error;
    socket_.open(options_.resolver.protocol(), error);
    if (!error) socket_.connect(options_.resolver, error);
    if (!error) socket_.non_blocking(true, error);
    if (error) {
      return MakeError(ErrorCode::kIo,
                       fmt::format("dns prober: cannot open a socket to {}: {}",
                                   options_.resolver.address().to_string(), error.message()));
    }
    int family = options_.resolver.protocol().family();
    timestamping_ =
        net::EnableKernelTimestamps(socket_.native_handle(), net::TransmitTimestamps::kWanted);
    if (Status dscp = net::SetDscp(socket_.native_handle(), family, options_.dscp); !dscp) {
      return MakeError(ErrorCode::kIo, "dns prober: " + dscp.error().message);
    }
    Result<net::SocketAddress> to =
        net::SocketAddress::Make(options_.resolver.address(), options_.resolver.port(), family);
    if (!to) return tl::unexpected(to.error());
    destination_ = *to;
    return {};
  }

  Status Send(std::uint32_t sequence) {
    if (!socket_.is_open()) return MakeError(ErrorCode::kUnavailable, "dns prober: closed");
    auto id = static_cast<std::uint16_t>(id_offset_ + sequence);
    std::vector<std::uint8_t> query = EncodeDnsQuery(id, question_);
    SentProbe probe;
    probe.monotonic = clock_.MonotonicNow();
    probe.wall = clock_.SystemNow();
    Status sent = net::SendDatagram(socket_.native_handle(), query, destination_);
    if (!sent) {
      ++counters_.send_errors;
      return MakeError(sent.error().code, "dns prober: " + sent.error().message);
    }
    sent_.Add(sequence, transmit_count_++, probe);
    transmit_stamps_.OnSent();
    counters_.kernel_transmit_stamps +=
        transmit_stamps_.Collect(socket_.native_handle(), sent_, /*limit=*/1);
    sequence_by_id_[id] = sequence;
    ++counters_.probes_sent;
    listener_->OnSent({.sequence = sequence, .sent = probe.monotonic});
    return {};
  }

  void WaitReadable() {
    net::AsyncWaitReadable(socket_, "dns_prober",
                           [self = shared_from_this()] { self->HandleReadable(); });
  }

  void Close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  const ProberCounters& counters() const { return counters_; }
  const DnsRcodeCounts& rcodes() const { return rcodes_; }
  net::KernelTimestamping timestamping() const { return timestamping_; }

 private:
  void HandleReadable() {
    int fd = socket_.native_handle();
    counters_.kernel_transmit_stamps +=
        transmit_stamps_.Collect(fd, sent_, options_.max_replies_per_turn);
    // One response per wake-up: waiting again re-arms the socket, which wakes at once if more
    // are queued, while reading until EAGAIN would cost a system call per wake-up for nothing.
    // (An error here is ECONNREFUSED from an earlier query: that probe is lost.)
    Result<net::ReceivedDatagram> received = net::ReceiveDatagram(fd, response_);
    if (received) HandleResponse(*received);
    if (socket_.is_open()) WaitReadable();
  }

  void HandleResponse(const net::ReceivedDatagram& received) {
    Result<DnsResponse> response =
        ParseDnsResponse(std::span<const std::uint8_t>(response_).first(received.size));
    if (!response) {
      ++counters_.malformed_replies;
      return;
    }
    auto id = sequence_by_id_.find(response->id);
    std::optional<SentProbe> probe =
        id == sequence_by_id_.end() ? std::nullopt : sent_.Find(id->second);
    if (!probe || response->question != question_) {
      ++counters_.foreign_replies;
      return;
    }
    std::uint32_t sequence = id->second;
    CountRcode(*response);
    stats::ProbeReply reply;
    reply.sequence = sequence;
    if (received.kernel_receive_time) {
      reply.arrival = KernelTimeToMonotonic(*received.kernel_receive_time, clock_);
    } else {
      reply.arrival = clock_.MonotonicNow();
    }
    if (probe->kernel && received.kernel_receive_time) {
      reply.rtt = std::chrono::duration_cast<std::chrono::nanoseconds>(
          *received.kernel_receive_time - *probe->kernel);
      reply.timestamp_source = stats::TimestampSource::kKernel;
    } else {
      reply.rtt =
          std::chrono::duration_cast<std::chrono::nanoseconds>(reply.arrival - probe->monotonic);
      reply.timestamp_source = stats::TimestampSource::kUserspace;
    }
    ++counters_.replies;
    listener_->OnReply(reply);
  }

  void CountRcode(const DnsResponse& response) {
    switch (response.rcode) {
      case 0:
        ++rcodes_.noerror;
        break;
      case 2:
        ++rcodes_.servfail;
        break;
      case 3:
        ++rcodes_.nxdomain;
        break;
      case 5:
        ++rcodes_.refused;
        break;
      default:
        ++rcodes_.other;
        break;
    }
    if (response.truncated) ++rcodes_.truncated;
  }

  const Clock& clock_;
  DnsProberOptions options_;
  DnsQuestion question_;
  ProbeListener* listener_;
  udp::socket socket_;
  net::SocketAddress destination_;
  net::KernelTimestamping timestamping_ = net::KernelTimestamping::kNone;
  SentProbes sent_;
  // The probe each query ID was last used for; IDs repeat every 65,536 probes.
  std::unordered_map<std::uint16_t, std::uint32_t> sequence_by_id_;
  std::uint16_t id_offset_ = 0;
  std::uint32_t transmit_count_ = 0;
  TransmitStamps transmit_stamps_;
  ProberCounters counters_;
  DnsRcodeCounts rcodes_;
  std::vector<std::uint8_t> response_;
};

Result<std::unique_ptr<DnsProber>> DnsProber::Make(boost::asio::io_context& io, const Clock& clock,
                                                   const DnsProberOptions& options,
                                                   ProbeListener& listener) {
  Result<std::string> name = NormalizeDnsName(options.query);
  if (!name) return MakeError(name.error().code, "dns prober: " + name.error().message);
  auto session = std::make_shared<Session>(io, clock, options, std::move(*name), listener);
  if (Status opened = session->Open(); !opened) return tl::unexpected(opened.error());
  session->WaitReadable();
  return std::unique_ptr<DnsProber>(new DnsProber(std::move(session)));
}

DnsProber::DnsProber(std::shared_ptr<Session> session) : session_(std::move(session)) {}

DnsProber::~DnsProber() { session_->Close(); }

Status DnsProber::Send(std::uint32_t sequence) { return session_->Send(sequence); }

const ProberCounters& DnsProber::counters() const { return session_->counters(); }

const DnsRcodeCounts& DnsProber::rcodes() const { return session_->rcodes(); }

net::KernelTimestamping DnsProber::timestamping() const { return session_->timestamping(); }

}  // namespace linkmon::probers
