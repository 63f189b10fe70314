#pragma once

// SummaryFields: the fields of one summary object (batch_codec.h) while the streaming decoder
// reads it. Keys may come in any order; Check() runs once the object ended and applies the
// format's checks in one fixed order (target, method, times, counts, histograms, extremes,
// unknown keys, then IntervalSummary's invariants), so that an object with several problems is
// always named by the same one. Histograms are decoded as their string arrives (base64 into a
// reused buffer, then the histogram codec), their errors kept for Check().
//
// One instance serves every summary of a batch (Reset() between them), so the buffers are
// allocated once per batch. Internal to common/batch; not thread-safe.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch/json_field.h"
#include "common/histogram/log_histogram.h"
#include "common/ids.h"
#include "common/stats/interval_summary.h"
#include "common/units.h"

namespace linkmon::batch::internal {

// A summary as decoded, before the batch's probe (its paths' source) is known.
struct DecodedSummary {
  TargetName target;
  Method method;
  stats::IntervalSummary summary;
  std::optional<Bandwidth> throughput;
};

class SummaryFields {
 public:
  // The fields of the format, in Check()'s order.
  enum Field : int {
    kTarget,
    kMethod,
    kStart,
    kDuration,
    kTimestampSource,
    kSent,
    kReceived,
    kLate,
    kLost,
    kUntracked,
    kDuplicated,
    kReordered,
    kOneWayUnsynchronized,
    kRtt,
    kIpdvMagnitude,
    kIpdvMin,
    kIpdvMax,
    kJitter,
    kForwardDelay,
    kReverseDelay,
    kThroughput,
    kFieldCount,
  };

  // The field `key` names, or nullopt for a key the format does not define.
  static std::optional<Field> Find(std::string_view key);

  // Forgets the previous summary's values.
  void Reset();

  // The field's value slot; a second Set of one key in an object is a repeated key (the caller
  // refuses the object). Returns false when the field had a value already.
  bool Claim(Field field);
  JsonField& value(Field field) { return fields_[field]; }
  // A string value arrived for `field`: histogram fields decode it now, the others keep the text.
  void SetString(Field field, std::string_view text);
  // An unknown key; false when it was seen already in this object (repeated).
  bool AddUnknown(std::string_view key);

  // The checks of batch_codec.h for summaries[index], in their fixed order.
  Result<DecodedSummary> Check(std::size_t index);

 private:
  // A histogram field's decoding, done when its string arrived.
  struct HistogramValue {
    enum class State { kEmpty, kDecoded, kBadBase64, kBadHistogram };
    State state = State::kEmpty;
    histogram::LogHistogram histogram;
    std::string error;  // kBadBase64, kBadHistogram: the codec's message
  };

  static std::optional<std::size_t> HistogramSlot(Field field);
  Result<histogram::LogHistogram> TakeHistogram(Field field, std::size_t index);

  std::array<JsonField, kFieldCount> fields_{};
  std::array<HistogramValue, 4> histograms_{};
  std::vector<std::string> unknown_;
  std::vector<std::uint8_t> bytes_;  // base64 decoding buffer
};

}  // namespace linkmon::batch::internal
