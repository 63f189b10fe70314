#pragma once

// What the reflector did, for /metrics and tests. Every datagram received is either reflected or
// refused for exactly one reason, so received = reflected + sum(refused) + send errors. Reflected
// bytes never exceed received bytes: a reply is the size of its request.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace linkmon::reflector {

enum class RefusalReason {
  kSourceNotAllowed,   // source address outside the allow-list
  kTooShort,           // shorter than the base format (RFC 8762 §4.6's lenient reply amplifies)
  kTooLong,            // longer than max_packet_bytes
  kSourceRateLimited,  // over the per-source rate
  kGlobalRateLimited,  // over the reflector-wide rate
  kBadHmac,            // authenticated mode: HMAC does not match
  kReplay,             // authenticated mode: sequence number already seen or older than the window
  kReplyFailed,        // the reply could not be built (OpenSSL out of memory); never expected
};

inline constexpr std::size_t kRefusalReasonCount = 8;

inline constexpr RefusalReason kAllRefusalReasons[kRefusalReasonCount] = {
    RefusalReason::kSourceNotAllowed,
    RefusalReason::kTooShort,
    RefusalReason::kTooLong,
    RefusalReason::kSourceRateLimited,
    RefusalReason::kGlobalRateLimited,
    RefusalReason::kBadHmac,
    RefusalReason::kReplay,
    RefusalReason::kReplyFailed,
};

// Metric label values: "source_not_allowed", "too_short", ...
std::string_view RefusalReasonName(RefusalReason reason);

struct ReflectorCounters {
  std::uint64_t received_packets = 0;
  std::uint64_t received_bytes = 0;  // UDP payload bytes
  std::uint64_t reflected_packets = 0;
  std::uint64_t reflected_bytes = 0;  // UDP payload bytes
  std::array<std::uint64_t, kRefusalReasonCount> refused{};
  std::uint64_t send_errors = 0;  // replies the kernel would not send
  std::uint64_t sessions_created = 0;
  std::uint64_t sessions_expired = 0;  // idle past session_idle_timeout
  std::uint64_t sessions_evicted = 0;  // dropped while live because the table was full
  std::uint64_t sources_evicted = 0;   // rate-limit buckets dropped because the table was full

  std::uint64_t& refused_for(RefusalReason reason) {
    return refused[static_cast<std::size_t>(reason)];
  }
  std::uint64_t refused_for(RefusalReason reason) const {
    return refused[static_cast<std::size_t>(reason)];
  }
  std::uint64_t refused_total() const;
};

}  // namespace linkmon::reflector
