#pragma once

// The kernel side of the emulator: one netlink socket to nfnetlink_queue, opened in the lab's WAN
// namespace, with one queue per lab direction. The FORWARD rules (lab_scripts.h) put each
// direction's packets in its queue; the kernel keeps every queued packet until it gets a verdict.
// Holding the verdict for the link's delay is the delay; a drop verdict is the loss.
//
// Why NFQUEUE rather than TUN (lab/README.md has the measurements): the kernel stamps each packet
// when it enters the WAN namespace and hands that time over with it, so the delay is counted from
// the true arrival, not from when a busy emulator got round to reading; packets are not copied to
// user space at all unless duplication needs their bytes; and one batch verdict releases many
// packets in one system call.
//
// Not thread-safe; used by the emulator's single thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

struct nfq_handle;
struct nfq_q_handle;
struct nfq_data;
struct nfgenmsg;

namespace linkmon::lab {

struct QueuedPacket {
  std::uint16_t queue = 0;
  std::uint32_t id = 0;
  // When the packet entered the WAN namespace (the kernel's receive timestamp), if it has one.
  std::optional<SystemTime> kernel_time;
  // The packet from its IP header on; empty unless the queue copies payloads.
  std::span<const std::uint8_t> payload;
};

class NfQueue {
 public:
  using PacketHandler = std::function<void(const QueuedPacket&)>;

  // Binds queues 0 .. queue_count-1 in the calling thread's network namespace, each holding at
  // most `max_held` packets (the kernel drops beyond that). Packets are metadata-only until
  // SetCopyPayload.
  static Result<std::unique_ptr<NfQueue>> Open(std::uint16_t queue_count, std::uint32_t max_held,
                                               PacketHandler handler);
  ~NfQueue();
  NfQueue(const NfQueue&) = delete;
  NfQueue& operator=(const NfQueue&) = delete;

  int fd() const;

  Status SetCopyPayload(std::uint16_t queue, bool copy);

  // Reads what the socket holds without blocking, at most `max_reads` datagrams (each carries many
  // packets), calling the handler for every packet. Returns the number of packets.
  Result<std::size_t> ReadAvailable(std::size_t max_reads);

  Status Accept(std::uint16_t queue, std::uint32_t id);
  Status AcceptThrough(std::uint16_t queue, std::uint32_t id);
  Status Drop(std::uint16_t queue, std::uint32_t id);

  // Times the socket's buffer overflowed and packet notices were lost (ENOBUFS). The packets stay
  // queued in the kernel; the next batch verdict of their queue releases them.
  std::uint64_t overruns() const { return overruns_; }

 private:
  struct QueueContext {
    NfQueue* owner = nullptr;
    std::uint16_t queue = 0;
  };

  NfQueue() = default;
  static int OnPacket(nfq_q_handle* queue, ::nfgenmsg* message, ::nfq_data* data, void* context);
  nfq_q_handle* Queue(std::uint16_t queue) const;

  nfq_handle* handle_ = nullptr;
  std::vector<nfq_q_handle*> queues_;
  std::vector<std::unique_ptr<QueueContext>> contexts_;
  PacketHandler handler_;
  std::vector<char> buffer_;
  std::size_t packets_in_read_ = 0;
  std::uint64_t overruns_ = 0;
};

}  // namespace linkmon::lab
