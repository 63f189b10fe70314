#include "lab/emulator/loss_channel.h"

namespace linkmon::lab {

bool LossChannel::Lose(Random& random) {
  const bool lost = random.Chance(bad_ ? parameters_.loss_bad : parameters_.loss_good);
  if (bad_) {
    if (random.Chance(parameters_.r)) bad_ = false;
  } else if (random.Chance(parameters_.p)) {
    bad_ = true;
  }
  return lost;
}

}  // namespace linkmon::lab
