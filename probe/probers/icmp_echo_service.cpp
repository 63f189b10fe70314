#include "probe/probers/icmp_echo_service.h"

#include <fmt/format.h>

#include "common/logging.h"

namespace linkmon::probers {

namespace {

constexpr std::size_t kMaxIcmpBytes = 9'000;
// Transmit ids remembered for routing TX timestamps; they arrive within microseconds of sending.
constexpr std::size_t kTransmitFlowsKept = 4'096;

}  // namespace

Result<std::shared_ptr<IcmpEchoService>> IcmpEchoService::Open(
    boost::asio::io_context& io, const Clock& clock, const IcmpEchoServiceOptions& options,
    const icmp::Cookie& cookie) {
  Result<icmp::IcmpSocket> socket = icmp::IcmpSocket::Open(options.version, options.preference);
  if (!socket) return tl::unexpected(socket.error());
  auto service = std::make_shared<IcmpEchoService>(io, clock, options, cookie, std::move(*socket));
  if (Status dscp =
          net::SetDscp(service->descriptor_.native_handle(), service->family_, options.dscp);
      !dscp) {
    return MakeError(ErrorCode::kIo, "icmp: " + dscp.error().message);
  }
  service->WaitReadable();
  return service;
}

IcmpEchoService::IcmpEchoService(boost::asio::io_context& io, const Clock& clock,
                                 const IcmpEchoServiceOptions& options, const icmp::Cookie& cookie,
                                 icmp::IcmpSocket socket)
    : clock_(clock),
      options_(options),
      cookie_(cookie),
      kind_(socket.kind()),
      identifier_(socket.identifier()),
      family_(socket.family()),
      descriptor_(io, socket.Release()),
      request_(kMaxIcmpBytes),
      reply_(kMaxIcmpBytes + 60) {  // room for a raw socket's IPv4 header
  timestamping_ =
      net::EnableKernelTimestamps(descriptor_.native_handle(), net::TransmitTimestamps::kWanted);
  if (options_.version == icmp::IpVersion::kV6 || kind_ == icmp::SocketKind::kDatagram) {
    (void)net::EnableReceiveTtl(descriptor_.native_handle(), family_);
  }
}

std::uint32_t IcmpEchoService::Register(IcmpFlow& flow) {
  std::uint32_t number = next_flow_++;
  flows_[number] = &flow;
  return number;
}

void IcmpEchoService::Unregister(std::uint32_t flow) { flows_.erase(flow); }

Result<std::uint32_t> IcmpEchoService::Send(std::uint32_t flow, std::uint32_t sequence,
                                            const boost::asio::ip::address& target,
                                            std::size_t icmp_size) {
  if (!descriptor_.is_open()) return MakeError(ErrorCode::kUnavailable, "icmp: socket closed");
  if (icmp_size < icmp::kMinEchoSize || icmp_size > kMaxIcmpBytes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("icmp: echo of {} bytes must be from {} to {}", icmp_size,
                                 icmp::kMinEchoSize, kMaxIcmpBytes));
  }
  std::span<std::uint8_t> packet = std::span<std::uint8_t>(request_).first(icmp_size);
  Status encoded = icmp::EncodeEchoRequest(
      options_.version, {.identifier = identifier_, .flow = flow, .sequence = sequence}, cookie_,
      packet);
  if (!encoded) return tl::unexpected(encoded.error());
  Result<net::SocketAddress> to = net::SocketAddress::Make(target, 0, family_);
  if (!to) return tl::unexpected(to.error());
  Status sent = net::SendDatagram(descriptor_.native_handle(), packet, *to);
  if (!sent) return MakeError(sent.error().code, "icmp: " + sent.error().message);
  std::uint32_t transmit_id = transmit_count_++;
  transmit_flows_.emplace_back(transmit_id, flow);
  if (transmit_flows_.size() > kTransmitFlowsKept) transmit_flows_.pop_front();
  ++outstanding_stamps_;
  return transmit_id;
}

void IcmpEchoService::Close() {
  boost::system::error_code ignored;
  descriptor_.close(ignored);
}

void IcmpEchoService::WaitReadable() {
  descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [self = shared_from_this()](const boost::system::error_code& error) {
                           if (error == boost::asio::error::operation_aborted) return;
                           if (error) {
                             spdlog::error("event=icmp_wait_failed error={}",
                                           KvQuote(error.message()));
                             return;
                           }
                           self->HandleReadable();
                         });
}

void IcmpEchoService::HandleReadable() {
  int fd = descriptor_.native_handle();
  CollectTransmitStamps(options_.max_replies_per_turn);
  for (std::size_t i = 0; i < options_.max_replies_per_turn; ++i) {
    Result<net::ReceivedDatagram> received = net::ReceiveDatagram(fd, reply_);
    if (!received) {
      if (received.error().code == ErrorCode::kUnavailable) break;
      continue;
    }
    HandleDatagram(*received);
  }
  if (descriptor_.is_open()) WaitReadable();
}

void IcmpEchoService::CollectTransmitStamps(std::size_t limit) {
  int fd = descriptor_.native_handle();
  for (std::size_t i = 0; i < limit && outstanding_stamps_ > 0; ++i) {
    Result<net::TransmitTimestamp> stamp = net::ReadTransmitTimestamp(fd);
    if (!stamp) {
      if (stamp.error().code == ErrorCode::kUnavailable) break;
      continue;
    }
    --outstanding_stamps_;
    for (const auto& [id, flow] : transmit_flows_) {
      if (id != stamp->id) continue;
      if (auto found = flows_.find(flow); found != flows_.end()) {
        found->second->OnTransmitTimestamp(id, stamp->time);
      }
      break;
    }
  }
}

void IcmpEchoService::HandleDatagram(const net::ReceivedDatagram& received) {
  if (received.truncated) {
    ++counters_.malformed_replies;
    return;
  }
  Result<icmp::EchoReply> reply = icmp::DecodeEchoReply(
      options_.version, kind_, std::span<const std::uint8_t>(reply_).first(received.size));
  if (!reply) {
    if (reply.error().code == ErrorCode::kUnsupported) {
      ++counters_.other_icmp;
    } else {
      ++counters_.malformed_replies;
    }
    return;
  }
  auto flow = flows_.find(reply->flow);
  if (reply->identifier != identifier_ || reply->cookie != cookie_ || flow == flows_.end()) {
    ++counters_.foreign_replies;
    return;
  }
  flow->second->OnEchoReply(*reply, received);
}

}  // namespace linkmon::probers
