#pragma once

// A ProbeListener for tests: keeps every event, in order, and serves as the path's table of probes
// (Tracked, AttachTransmitStamp) the way the scheduler's IntervalRecorder does, without its
// intervals: every probe sent stays tracked, and loses its stamp when it is answered.

#include <map>
#include <vector>

#include "probe/probers/prober.h"

namespace linkmon::probers::testing {

class RecordingListener : public ProbeListener {
 public:
  void OnSent(const stats::ProbeSent& sent) override {
    sent_.push_back(sent);
    tracked_[sent.sequence] = {.sent = sent.sent, .kernel_sent = std::nullopt};
  }
  void OnReply(const stats::ProbeReply& reply) override {
    replies_.push_back(reply);
    if (auto it = tracked_.find(reply.sequence); it != tracked_.end()) {
      it->second.kernel_sent.reset();
    }
  }
  std::optional<stats::TrackedProbe> Tracked(std::uint32_t sequence) const override {
    auto it = tracked_.find(sequence);
    if (it == tracked_.end()) return std::nullopt;
    return it->second;
  }
  bool AttachTransmitStamp(std::uint32_t sequence, SystemTime kernel_sent) override {
    auto it = tracked_.find(sequence);
    if (it == tracked_.end() || it->second.kernel_sent) return false;
    it->second.kernel_sent = kernel_sent;
    return true;
  }

  const std::vector<stats::ProbeSent>& sent() const { return sent_; }
  const std::vector<stats::ProbeReply>& replies() const { return replies_; }

 private:
  std::vector<stats::ProbeSent> sent_;
  std::vector<stats::ProbeReply> replies_;
  std::map<std::uint32_t, stats::TrackedProbe> tracked_;
};

}  // namespace linkmon::probers::testing
