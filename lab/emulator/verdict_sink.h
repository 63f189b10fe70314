#pragma once

// Where the emulator's decisions go: NFQUEUE verdicts and re-sent copies in the lab
// (nfqueue.h, duplicate_sender.h), a recorder in unit tests, nothing in the benchmark.

#include <cstdint>
#include <span>

#include "common/result.h"

namespace linkmon::lab {

class VerdictSink {
 public:
  virtual ~VerdictSink() = default;

  // Lets packet `id` of `queue` continue.
  virtual Status Accept(std::uint16_t queue, std::uint32_t id) = 0;
  // Lets every packet of `queue` up to and including `id` continue (one message for many).
  virtual Status AcceptThrough(std::uint16_t queue, std::uint32_t id) = 0;
  virtual Status Drop(std::uint16_t queue, std::uint32_t id) = 0;
  // Sends a copy of an IPv4 or IPv6 packet onwards (duplication).
  virtual Status SendCopy(std::span<const std::uint8_t> packet) = 0;
};

}  // namespace linkmon::lab
