#pragma once

// A ProbeListener for tests: keeps every event, in order.

#include <vector>

#include "probe/probers/prober.h"

namespace linkmon::probers::testing {

class RecordingListener : public ProbeListener {
 public:
  void OnSent(const stats::ProbeSent& sent) override { sent_.push_back(sent); }
  void OnReply(const stats::ProbeReply& reply) override { replies_.push_back(reply); }

  const std::vector<stats::ProbeSent>& sent() const { return sent_; }
  const std::vector<stats::ProbeReply>& replies() const { return replies_; }

 private:
  std::vector<stats::ProbeSent> sent_;
  std::vector<stats::ProbeReply> replies_;
};

}  // namespace linkmon::probers::testing
