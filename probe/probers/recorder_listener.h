#pragma once

// The listener of a path measured into interval summaries: it feeds the path's IntervalRecorder,
// which it owns, and answers for the path's probes from the recorder's table (Tracked,
// AttachTransmitStamp), so that an ICMP prober keeps no table of its own. The scheduler's paths,
// `measure` and the probe benchmark are each one; Replied() serves those that keep more (the
// RTTs, a count).

#include <cstdint>
#include <optional>
#include <utility>

#include "common/clock.h"
#include "common/result.h"
#include "common/stats/interval_recorder.h"
#include "probe/probers/prober.h"

namespace linkmon::probers {

class RecorderListener : public ProbeListener {
 public:
  explicit RecorderListener(stats::IntervalRecorder recorder) : recorder_(std::move(recorder)) {}

  // An event the recorder refuses is counted there (RecorderCounters::rejected_events).
  void OnSent(const stats::ProbeSent& sent) final { (void)recorder_.OnSent(sent); }
  void OnReply(const stats::ProbeReply& reply) final { Replied(reply, recorder_.OnReply(reply)); }
  std::optional<stats::TrackedProbe> Tracked(std::uint32_t sequence) const final {
    return recorder_.Tracked(sequence);
  }
  bool AttachTransmitStamp(std::uint32_t sequence, SystemTime kernel_sent) final {
    return recorder_.AttachTransmitStamp(sequence, kernel_sent);
  }

  stats::IntervalRecorder& recorder() { return recorder_; }

 protected:
  // What the recorder made of a reply.
  virtual void Replied(const stats::ProbeReply& /*reply*/,
                       const Result<stats::ReplyOutcome>& /*outcome*/) {}

 private:
  stats::IntervalRecorder recorder_;
};

}  // namespace linkmon::probers
