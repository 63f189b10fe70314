#pragma once

// Decides which packets a direction loses: a Gilbert–Elliott channel (link_properties.h), of which
// independent loss is the special case that never leaves the good state.

#include "lab/emulator/random.h"
#include "lab/topology/link_properties.h"

namespace linkmon::lab {

class LossChannel {
 public:
  explicit LossChannel(const GilbertElliott& parameters) : parameters_(parameters) {}

  // New parameters apply from the next packet; the current state is kept, so a burst in progress
  // ends by the new r.
  void SetParameters(const GilbertElliott& parameters) { parameters_ = parameters; }

  // Whether this packet is lost (by the current state's loss probability); then steps the chain.
  bool Lose(Random& random);

  bool in_bad_state() const { return bad_; }

 private:
  GilbertElliott parameters_;
  bool bad_ = false;
};

}  // namespace linkmon::lab
