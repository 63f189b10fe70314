#include "lab/daemon/nfqueue.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>

// The header declares its functions extern "C" itself.
#include <libnetfilter_queue/libnetfilter_queue.h>

namespace linkmon::lab {

namespace {

// Large enough that a burst of notices (tens of thousands of packets a second) waits in the socket
// rather than overflowing it while the emulator is releasing.
constexpr int kSocketBufferBytes = 16 * 1024 * 1024;
constexpr std::size_t kReadBufferBytes = 256 * 1024;
constexpr std::uint32_t kCopyRange = 0xFFFF;

Error NetlinkError(const std::string& step) {
  return Error{ErrorCode::kIo, "nfqueue: " + step + ": " + std::strerror(errno)};
}

}  // namespace

Result<std::unique_ptr<NfQueue>> NfQueue::Open(std::uint16_t queue_count, std::uint32_t max_held,
                                               PacketHandler handler) {
  std::unique_ptr<NfQueue> nfqueue(new NfQueue());
  nfqueue->handler_ = std::move(handler);
  nfqueue->buffer_.resize(kReadBufferBytes);
  nfqueue->handle_ = nfq_open();
  if (nfqueue->handle_ == nullptr) return tl::unexpected(NetlinkError("open"));
  const int fd = nfq_fd(nfqueue->handle_);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kSocketBufferBytes, sizeof kSocketBufferBytes) !=
      0) {
    return tl::unexpected(NetlinkError("SO_RCVBUFFORCE"));
  }
  for (std::uint16_t q = 0; q < queue_count; ++q) {
    auto context = std::make_unique<QueueContext>(QueueContext{nfqueue.get(), q});
    nfq_q_handle* queue = nfq_create_queue(nfqueue->handle_, q, &NfQueue::OnPacket, context.get());
    if (queue == nullptr) {
      return tl::unexpected(NetlinkError("bind queue " + std::to_string(q) +
                                         " (is another emulator running for this lab?)"));
    }
    nfqueue->queues_.push_back(queue);
    nfqueue->contexts_.push_back(std::move(context));
    if (nfq_set_mode(queue, NFQNL_COPY_META, 0) < 0) {
      return tl::unexpected(NetlinkError("set mode of queue " + std::to_string(q)));
    }
    if (nfq_set_queue_maxlen(queue, max_held) < 0) {
      return tl::unexpected(NetlinkError("set length of queue " + std::to_string(q)));
    }
  }
  return nfqueue;
}

NfQueue::~NfQueue() {
  // Destroying a queue makes the kernel drop what it still holds; the lab is going away.
  for (nfq_q_handle* queue : queues_) nfq_destroy_queue(queue);
  if (handle_ != nullptr) nfq_close(handle_);
}

int NfQueue::fd() const { return nfq_fd(handle_); }

nfq_q_handle* NfQueue::Queue(std::uint16_t queue) const {
  return queue < queues_.size() ? queues_[queue] : nullptr;
}

Status NfQueue::SetCopyPayload(std::uint16_t queue, bool copy) {
  nfq_q_handle* handle = Queue(queue);
  if (handle == nullptr) return MakeError(ErrorCode::kInvalidArgument, "nfqueue: no such queue");
  if (nfq_set_mode(handle, copy ? NFQNL_COPY_PACKET : NFQNL_COPY_META, copy ? kCopyRange : 0) < 0) {
    return tl::unexpected(NetlinkError("set mode"));
  }
  return {};
}

int NfQueue::OnPacket(nfq_q_handle* /*queue*/, ::nfgenmsg* /*message*/, ::nfq_data* data,
                      void* context) {
  const auto* queue_context = static_cast<const QueueContext*>(context);
  NfQueue* self = queue_context->owner;
  const nfqnl_msg_packet_hdr* header = nfq_get_msg_packet_hdr(data);
  if (header == nullptr) return 0;
  QueuedPacket packet;
  packet.queue = queue_context->queue;
  packet.id = ntohl(header->packet_id);
  timeval stamp{};
  if (nfq_get_timestamp(data, &stamp) == 0 && stamp.tv_sec > 0) {
    packet.kernel_time =
        SystemTime(std::chrono::seconds(stamp.tv_sec) + std::chrono::microseconds(stamp.tv_usec));
  }
  unsigned char* payload = nullptr;
  const int length = nfq_get_payload(data, &payload);
  if (length > 0 && payload != nullptr) {
    packet.payload = std::span<const std::uint8_t>(payload, static_cast<std::size_t>(length));
  }
  ++self->packets_in_read_;
  self->handler_(packet);
  return 0;
}

Result<std::size_t> NfQueue::ReadAvailable(std::size_t max_reads) {
  packets_in_read_ = 0;
  const int fd = nfq_fd(handle_);
  for (std::size_t i = 0; i < max_reads; ++i) {
    const ssize_t n = recv(fd, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        ++overruns_;
        continue;
      }
      return tl::unexpected(NetlinkError("recv"));
    }
    nfq_handle_packet(handle_, buffer_.data(), static_cast<int>(n));
  }
  return packets_in_read_;
}

Status NfQueue::Accept(std::uint16_t queue, std::uint32_t id) {
  if (nfq_set_verdict(Queue(queue), id, NF_ACCEPT, 0, nullptr) < 0) {
    return tl::unexpected(NetlinkError("accept"));
  }
  return {};
}

Status NfQueue::AcceptThrough(std::uint16_t queue, std::uint32_t id) {
  if (nfq_set_verdict_batch(Queue(queue), id, NF_ACCEPT) < 0) {
    return tl::unexpected(NetlinkError("batch accept"));
  }
  return {};
}

Status NfQueue::Drop(std::uint16_t queue, std::uint32_t id) {
  if (nfq_set_verdict(Queue(queue), id, NF_DROP, 0, nullptr) < 0) {
    return tl::unexpected(NetlinkError("drop"));
  }
  return {};
}

}  // namespace linkmon::lab
