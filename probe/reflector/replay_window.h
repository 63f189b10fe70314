#pragma once

// Anti-replay for authenticated STAMP sessions. HMAC proves a packet came from a key holder, not
// that it is new: a captured packet replayed later would pass, and the reflector would answer it
// again. Each session keeps the highest Session-Sender sequence number seen and a bitmap of the
// `size` numbers below it, as IPsec does (RFC 4303 §3.4.3, ring bitmap of RFC 6479).
//
// Sequence numbers are compared modulo 2^32, so a session survives the wrap.
// A sender that restarts from 0 on the same source address and port is refused ("too old") until
// its session expires; senders that pick a fresh ephemeral port per run, as linkmon's does, are
// not affected. Not thread-safe.

#include <cstdint>
#include <vector>

namespace linkmon::reflector {

class ReplayWindow {
 public:
  enum class Verdict { kNew, kRepeat, kTooOld };

  // `size` is rounded up to a power of two, at least 64 and at most 65536.
  explicit ReplayWindow(std::uint32_t size);

  // Classifies `sequence` and, when new, records it.
  Verdict Accept(std::uint32_t sequence);

  std::uint32_t size() const { return size_; }

 private:
  bool Test(std::uint32_t sequence) const;
  void Set(std::uint32_t sequence);
  void Clear(std::uint32_t sequence);

  std::uint32_t size_;
  std::vector<std::uint64_t> bits_;  // bit (sequence mod size) marks a seen number
  bool started_ = false;
  std::uint32_t highest_ = 0;
};

}  // namespace linkmon::reflector
