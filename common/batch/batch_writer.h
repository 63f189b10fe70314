#pragma once

// Writes the batch wire format (batch_codec.h, version 1) without a JSON tree: each summary's
// object is appended to a text buffer as it arrives, and the batch's text is the header, that
// buffer and the closing bytes. The bytes are those nlohmann-json's compact dump of the same
// batch gives (keys in sorted order, integers in decimal; the golden test in
// tests/common/batch holds them), so the decoder and every spooled batch are unaffected.
//
// Why: a probe with 10,000 paths at 1 s summaries seals 10,000 summaries a second. Building a
// JSON tree of them (a std::map and a heap string per key) and serializing it cost more CPU than
// sending the probes did, and ~2 KB of heap per summary while a batch was sealed; written
// straight into text, a summary costs its ~500 bytes of text and no tree.
//
// Thread-safety: a BatchWriter is not thread-safe; the free functions share no state.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/batch/batch.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/stats/interval_summary.h"
#include "common/units.h"

namespace linkmon::batch {

// What names a batch (batch.h): everything but its summaries.
struct BatchHeader {
  SiteName probe;
  SystemTime probe_start{};
  std::uint64_t sequence = 0;
  SystemTime created{};
};

// Appends one summary's JSON object, as the wire format has it, to `out`.
void AppendSummaryJson(std::string& out, const PathKey& path, const stats::IntervalSummary& summary,
                       std::optional<Bandwidth> throughput);

// Builds one batch's text a summary at a time.
class BatchWriter {
 public:
  void Add(const PathKey& path, const stats::IntervalSummary& summary,
           std::optional<Bandwidth> throughput = std::nullopt);
  void Add(const PathSummary& summary) { Add(summary.path, summary.summary, summary.throughput); }

  // Summaries added since the last Finish.
  std::size_t summaries() const { return count_; }
  // Bytes of summary text held (what the writer's memory grows with).
  std::size_t pending_bytes() const { return body_.size(); }

  // The wire text of the batch `header` names with the summaries added since the last Finish,
  // byte for byte what EncodeBatch gives for it. The writer is empty afterwards: its buffer
  // becomes the batch, and the next batch's is made at the largest size seen so far.
  std::string Finish(const BatchHeader& header);

 private:
  std::string body_;  // the summaries' objects, comma-separated
  std::size_t count_ = 0;
  // The largest batch finished so far, in bytes. A buffer grown by doubling held the old and the
  // new block at once at each step (for a 400 KB batch, 768 KB at the last one) and ended up to
  // twice the text: reserved at this size, a batch like the last ones is one block of its size.
  std::size_t largest_batch_ = 0;
};

}  // namespace linkmon::batch
