#pragma once

// The wire format of a Batch (batch.h): JSON, version 1, UTF-8, one object per upload.
// common/batch/README.md says why JSON and gives the measured cost and size.
//
//   {
//     "format": "linkmon.batch",            // constant: what this document is
//     "version": 1,                         // kBatchFormatVersion; others are refused
//     "probe": "xining",                    // site name of the probe (common/ids.h rules)
//     "probe_start_unix_ns": 1795000000000000000,  // epoch of the sequence numbers, > 0
//     "sequence": 42,                       // unsigned 64-bit
//     "created_unix_ns": 1795000123000000000,      // when the batch was sealed, > 0
//     "summaries": [                        // 0 .. DecodeLimits::max_summaries entries
//       {
//         "target": "shanghai",             // target name; the source is the probe
//         "method": "icmp",                 // icmp|stamp|tcp|dns|throughput|passive
//         "start_unix_ns": 1795000110000000000,  // interval start (wall clock), > 0
//         "duration_ns": 10000000000,       // 1 ns .. 1 h
//         "timestamp_source": "kernel",     // none|userspace|kernel|mixed
//         "sent": 10, "received": 9, "late": 0, "lost": 1, "untracked": 0,
//         "duplicated": 0, "reordered": 0, "one_way_unsynchronized": 0,
//         "rtt": "AQ...",                   // optional: base64 of SerializeHistogram (absent:
//         empty) "ipdv_magnitude": "AQ...",        // optional, as rtt "ipdv_min_ns": -120000, //
//         present exactly when ipdv_magnitude is non-empty "ipdv_max_ns": 95000,
//         "rfc3550_jitter_ns": 41000,       // optional, >= 0
//         "forward_delay": "AQ...",         // optional, as rtt; only with synchronised clocks
//         "reverse_delay": "AQ...",         // optional; as many samples as forward_delay
//         "throughput_bits_per_second": 100000000  // optional
//       }
//     ]
//   }
//
// Every number is a JSON integer (no fraction, no exponent) within the 64-bit range of its field:
// NaN, Inf and rounding cannot appear. Times are nanoseconds since the Unix epoch; durations are
// nanoseconds; the unit is in each key's name. Keys may come in any order; unknown keys, repeated
// keys and a missing required key are errors, so a typo is not silently ignored: a field is only
// ever added with a new version number.
//
// Beyond types, the decoder checks what one interval of one path can be (IntervalSummary's
// invariants): sent == received + late + lost + untracked; the RTT histogram holds exactly
// `received` samples; IPDV, one-way and reordered counts do not exceed `received`; forward and
// reverse delays hold the same number of samples; ipdv_min <= ipdv_max; no (target, method, start)
// twice in one batch. Histograms are checked by their own codec (structure, CRC-32C).
// Checks that need context (is the probe known, does the token match, are the timestamps sane
// for "now") belong to the collector's ingest, not to this codec.
//
// Thread-safety: free functions without shared state.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/batch/batch.h"
#include "common/result.h"

namespace linkmon::batch {

inline constexpr int kBatchFormatVersion = 1;
inline constexpr std::string_view kBatchFormatName = "linkmon.batch";
// Longest interval a summary may cover.
inline constexpr std::chrono::hours kMaxSummaryDuration{1};

struct DecodeLimits {
  // More summaries than this is kOutOfRange ("too many summaries"), checked before decoding them.
  std::size_t max_summaries = 10'000;
  // Nesting deeper than the format's own (3: batch, summaries, summary) is refused while parsing
  // (nlohmann-json has no depth limit of its own), so hostile nesting costs neither stack nor heap.
  int max_depth = 3;
};

// The JSON text of `batch`, compact, keys in a fixed order. Optional fields are left out when
// absent or empty.
std::string EncodeBatch(const Batch& batch);

// Decodes outside input; never throws, never crashes. Errors name the field
// ("summaries[3].received: ...") and carry a code the collector turns into its rejection reason:
//   kParse           not JSON, or nested deeper than max_depth
//   kInvalidArgument wrong type, missing, unknown or repeated key, invalid name, negative value,
//                    non-integer number, value outside its range
//   kUnsupported     format or version this build does not know
//   kOutOfRange      more than max_summaries summaries
//   kCorrupt         a histogram that does not decode, or counts that contradict each other
Result<Batch> DecodeBatch(std::string_view json, const DecodeLimits& limits = {});

}  // namespace linkmon::batch
