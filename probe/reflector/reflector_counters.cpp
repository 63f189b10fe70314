#include "probe/reflector/reflector_counters.h"

namespace linkmon::reflector {

std::string_view RefusalReasonName(RefusalReason reason) {
  switch (reason) {
    case RefusalReason::kSourceNotAllowed:
      return "source_not_allowed";
    case RefusalReason::kTooShort:
      return "too_short";
    case RefusalReason::kTooLong:
      return "too_long";
    case RefusalReason::kSourceRateLimited:
      return "source_rate_limited";
    case RefusalReason::kGlobalRateLimited:
      return "global_rate_limited";
    case RefusalReason::kBadHmac:
      return "bad_hmac";
    case RefusalReason::kReplay:
      return "replay";
    case RefusalReason::kReplyFailed:
      return "reply_failed";
  }
  return "unknown";
}

std::uint64_t ReflectorCounters::refused_total() const {
  std::uint64_t total = 0;
  for (std::uint64_t count : refused) total += count;
  return total;
}

}  // namespace linkmon::reflector
