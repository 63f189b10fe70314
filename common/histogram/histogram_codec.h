#pragma once

// The compact binary form of a LogHistogram, for batches from probe to collector and for the
// collector's persisted windows. A typical interval's RTT histogram (a few dozen occupied buckets)
// takes well under 100 bytes. The layout is drawn above DeserializeHistogram in
// histogram_codec.cpp. Text transports (JSON) carry it base64-encoded; that is their business.
//
// A CRC-32C trailer makes random damage (a flipped bit on disk, a cut upload) detectable: the
// structural checks alone cannot see a flip that turns one valid histogram into another, such as
// a shifted bucket index between an underflow and an overflow. It is not authentication; the
// transport (TLS, bearer token) is.
//
// Every histogram has exactly one encoding (shortest varints, no optional padding), so
// SerializeHistogram(*DeserializeHistogram(bytes)) == bytes whenever decoding succeeds.

#include <cstdint>
#include <span>
#include <vector>

#include "common/histogram/log_histogram.h"
#include "common/result.h"

namespace linkmon::histogram {

// Version 1: the layout of histogram_codec.cpp over the buckets of bucket_layout.h. A change to
// either is a new version; decoders refuse versions they do not know.
inline constexpr std::uint8_t kWireVersion = 1;

// CRC-32C (Castagnoli, as in iSCSI and ext4) of `bytes`; exposed for tests.
std::uint32_t Crc32c(std::span<const std::uint8_t> bytes);

std::vector<std::uint8_t> SerializeHistogram(const LogHistogram& histogram);

// Decodes outside input. Never crashes and never allocates more than the input justifies; every
// malformed input gets an error naming what is wrong: kCorrupt (truncated, trailing bytes,
// non-shortest or over-long varint, indexes not increasing, empty bucket, totals that do not add
// up, min > max, impossible sum, checksum mismatch), kUnsupported (unknown version), kOutOfRange
// (bucket index or bucket count beyond the layout, counts overflowing 64 bits). The structure is
// checked before the checksum, so a cut or malformed input is named as such, not as a mismatch.
Result<LogHistogram> DeserializeHistogram(std::span<const std::uint8_t> bytes);

}  // namespace linkmon::histogram
