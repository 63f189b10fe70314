#include "probe/probers/icmp_echo_service.h"

#include <algorithm>

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "common/logging.h"

namespace linkmon::probers {

namespace {

constexpr std::size_t kMaxIcmpBytes = 9'000;
// Room for a raw socket's IPv4 header before the ICMP message.
constexpr std::size_t kIpHeaderRoom = 60;
// Reply buffers until a larger echo is sent: an Ethernet MTU.
constexpr std::size_t kInitialReplyBytes = 1'500;
// Transmit ids remembered for routing TX timestamps; they arrive within microseconds of sending,
// so this only has to cover the sends of one stalled loop turn.
constexpr std::size_t kTransmitIdsKept = 4'096;
// Error-queue entries hold no payload (OPT_TSONLY); the room is for a kernel that ignores it.
constexpr std::size_t kStampPayloadBytes = 64;

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
  if (Result<int> buffer = net::GrowReceiveBuffer(service->descriptor_.native_handle(),
                                                  options.receive_buffer_bytes);
      !buffer) {
    return MakeError(ErrorCode::kIo, "icmp: " + buffer.error().message);
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
      transmit_index_(kTransmitIdsKept),
      request_(kMaxIcmpBytes),
      replies_(std::make_unique<net::ReceiveBatch>(options.max_replies_per_turn,
                                                   kInitialReplyBytes + kIpHeaderRoom)),
      stamps_(options.max_replies_per_turn, kStampPayloadBytes),
      batch_(options.max_sends_per_batch) {
  queued_.reserve(options.max_sends_per_batch);
  timestamping_ =
      net::EnableKernelTimestamps(descriptor_.native_handle(), net::TransmitTimestamps::kWanted);
  if (options_.version == icmp::IpVersion::kV6 || kind_ == icmp::SocketKind::kDatagram) {
    (void)net::EnableReceiveTtl(descriptor_.native_handle(), family_);
  }
}

std::uint32_t IcmpEchoService::Register(IcmpFlow& flow) {
  std::uint32_t number = next_flow_++;
  if (flows_.size() <= number) flows_.resize(number + 1, nullptr);
  flows_[number] = &flow;
  return number;
}

void IcmpEchoService::Unregister(std::uint32_t flow) {
  if (flow < flows_.size()) flows_[flow] = nullptr;
}

IcmpFlow* IcmpEchoService::FlowOf(std::uint32_t flow) const {
  // The number comes from the network too (a reply's payload): anything out of range is no flow.
  return flow < flows_.size() ? flows_[flow] : nullptr;
}

Status IcmpEchoService::Send(std::uint32_t flow, std::uint32_t sequence,
                             const boost::asio::ip::address& target, std::size_t icmp_size) {
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
  if (icmp_size + kIpHeaderRoom > replies_->datagram_bytes()) {
    replies_ = std::make_unique<net::ReceiveBatch>(options_.max_replies_per_turn,
                                                   icmp_size + kIpHeaderRoom);
  }
  batch_.Add(packet, *to);
  queued_.push_back({.flow = flow, .sequence = sequence});
  if (batch_.full()) {
    Flush();
  } else if (!flush_posted_) {
    flush_posted_ = true;
    boost::asio::post(descriptor_.get_executor(), [self = shared_from_this()] {
      self->flush_posted_ = false;
      self->Flush();
    });
  }
  return {};
}

void IcmpEchoService::Flush() {
  if (batch_.empty() || !descriptor_.is_open()) return;
  const MonotonicTime monotonic = clock_.MonotonicNow();
  std::span<const Status> results = batch_.Send(descriptor_.native_handle());
  const bool stamped = timestamping_ == net::KernelTimestamping::kSoTimestamping;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const QueuedEcho& echo = queued_[i];
    IcmpFlow* flow = FlowOf(echo.flow);
    if (!results[i]) {
      if (flow != nullptr) {
        flow->OnSendFailed(echo.sequence,
                           Error{results[i].error().code, "icmp: " + results[i].error().message});
      }
      continue;
    }
    std::uint32_t transmit_id = transmit_count_++;
    transmit_index_[transmit_id % transmit_index_.size()] = {
        .used = true, .transmit_id = transmit_id, .flow = echo.flow, .sequence = echo.sequence};
    // Only SO_TIMESTAMPING queues transmit stamps; counting them otherwise would make every
    // wake-up read an empty error queue.
    if (stamped) ++outstanding_stamps_;
    if (flow != nullptr) flow->OnProbeSent(echo.sequence, monotonic);
  }
  queued_.clear();
  // The software stamps are queued before sendmmsg returns: read them all now, in one call,
  // before any reply is handled.
  CollectTransmitStamps(results.size());
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
  std::size_t handled = 0;
  while (handled < options_.max_replies_per_turn) {
    const std::size_t wanted =
        std::min(options_.max_replies_per_turn - handled, replies_->max_datagrams());
    Result<std::size_t> received = replies_->Receive(fd, wanted);
    if (!received || *received == 0) break;  // kUnavailable: all read; kIo: next wake-up
    for (std::size_t i = 0; i < *received; ++i) {
      HandleDatagram(replies_->Datagram(i), replies_->Bytes(i));
    }
    handled += *received;
    if (*received < wanted) break;  // the queue is empty: spare the call that would say so
  }
  if (descriptor_.is_open()) WaitReadable();
}

void IcmpEchoService::CollectTransmitStamps(std::size_t limit) {
  int fd = descriptor_.native_handle();
  std::size_t read = 0;
  while (read < limit && outstanding_stamps_ > 0) {
    std::size_t wanted = std::min<std::size_t>(limit - read, outstanding_stamps_);
    Result<std::size_t> received = stamps_.ReceiveErrorQueue(fd, wanted);
    if (!received || *received == 0) break;
    for (std::size_t i = 0; i < *received; ++i) {
      // An entry that is not a timestamp was consumed all the same; keep reading.
      Result<net::TransmitTimestamp> stamp = stamps_.Stamp(i);
      if (!stamp) continue;
      --outstanding_stamps_;
      RouteTransmitStamp(*stamp);
    }
    read += *received;
    if (*received < wanted) break;  // the queue is empty
  }
}

void IcmpEchoService::RouteTransmitStamp(const net::TransmitTimestamp& stamp) {
  const TransmitRecord& record = transmit_index_[stamp.id % transmit_index_.size()];
  if (!record.used || record.transmit_id != stamp.id) return;
  if (IcmpFlow* flow = FlowOf(record.flow); flow != nullptr) {
    flow->OnTransmitTimestamp(record.sequence, stamp.time);
  }
}

void IcmpEchoService::HandleDatagram(const net::ReceivedDatagram& received,
                                     std::span<const std::uint8_t> bytes) {
  if (received.truncated) {
    ++counters_.malformed_replies;
    return;
  }
  Result<icmp::EchoReply> reply =
      icmp::DecodeEchoReply(options_.version, kind_, bytes.first(received.size));
  if (!reply) {
    if (reply.error().code == ErrorCode::kUnsupported) {
      ++counters_.other_icmp;
    } else {
      ++counters_.malformed_replies;
    }
    return;
  }
  IcmpFlow* flow = FlowOf(reply->flow);
  if (reply->identifier != identifier_ || reply->cookie != cookie_ || flow == nullptr) {
    ++counters_.foreign_replies;
    return;
  }
  flow->OnEchoReply(*reply, received);
}

}  // namespace linkmon::probers
