#pragma once

// A ProbeListener for tests: keeps every event, in order, and serves as the path's table of probes
// (Tracked, AttachTransmitStamp) the way the scheduler's IntervalRecorder does, without its
// intervals: every probe sent stays tracked, takes one stamp, and does not keep it once answered.

#include <map>
#include <vector>

#include "probe/probers/prober.h"

namespace linkmon::probers::testing {

class RecordingListener : public ProbeListener {
 public:
  void OnSent(const stats::ProbeSent& sent) override {
    sent_.push_back(sent);
    tracked_[sent.sequence] = {.probe = {.sent = sent.sent, .kernel_sent = std::nullopt}};
  }
  void OnReply(const stats::ProbeReply& reply) override {
    replies_.push_back(reply);
    if (auto it = tracked_.find(reply.sequence); it != tracked_.end()) {
      it->second.answered = true;
      it->second.probe.kernel_sent.reset();
    }
  }
  std::optional<stats::TrackedProbe> Tracked(std::uint32_t sequence) const override {
    auto it = tracked_.find(sequence);
    if (it == tracked_.end()) return std::nullopt;
    return it->second.probe;
  }
  bool AttachTransmitStamp(std::uint32_t sequence, SystemTime kernel_sent) override {
    auto it = tracked_.find(sequence);
    if (it == tracked_.end() || it->second.stamped) return false;
    it->second.stamped = true;
    if (!it->second.answered) it->second.probe.kernel_sent = kernel_sent;
    return true;
  }

  const std::vector<stats::ProbeSent>& sent() const { return sent_; }
  const std::vector<stats::ProbeReply>& replies() const { return replies_; }

 private:
  std::vector<stats::ProbeSent> sent_;
  std::vector<stats::ProbeReply> replies_;
  struct Entry {
    stats::TrackedProbe probe;
    bool stamped = false;
    bool answered = false;
  };
  std::map<std::uint32_t, Entry> tracked_;
};

}  // namespace linkmon::probers::testing
