#pragma once

// What the uploader does with the collector's answer to a batch (issue 6): a 2xx acknowledges it;
// 429, 408 and 5xx mean "not now" and the batch is tried again later, honouring Retry-After; any
// other status (a 4xx: bad batch, wrong token, probe id not matching its credential) will not
// change by retrying, so the batch is set aside rather than retried forever.

#include <chrono>
#include <optional>
#include <string_view>

#include "common/clock.h"

namespace linkmon::upload {

enum class UploadVerdict {
  kAcknowledged,  // 2xx: the collector has the batch; remove it from the spool
  kRetry,         // 408, 429, 5xx (and network errors): try again after a backoff
  kRejected,      // anything else: move it to the rejected table, count it, never retry
};

UploadVerdict VerdictForStatus(unsigned http_status);

// Retry-After (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date ("Wed, 21 Oct 2026
// 07:28:00 GMT"), measured from `now`. nullopt when absent or malformed; a date in the past is a
// zero delay; anything beyond one day is cut to one day.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, SystemTime now);

}  // namespace linkmon::upload
