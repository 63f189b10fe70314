#include "lab/emulator/direction_model.h"

#include <algorithm>
#include <cmath>

namespace linkmon::lab {

DirectionModel::DirectionModel(const LinkProperties& properties, std::uint64_t seed)
    : properties_(properties), random_(seed), loss_(EffectiveLossChannel(properties)) {}

void DirectionModel::SetProperties(const LinkProperties& properties) {
  properties_ = properties;
  loss_.SetParameters(EffectiveLossChannel(properties));
}

std::chrono::nanoseconds DirectionModel::SampleDelay() {
  const auto jitter = properties_.jitter;
  if (jitter.count() == 0) return properties_.delay;
  double offset_ns = 0.0;
  switch (properties_.jitter_distribution) {
    case JitterDistribution::kUniform:
      offset_ns = (2.0 * random_.Uniform() - 1.0) * static_cast<double>(jitter.count());
      break;
    case JitterDistribution::kNormal:
      offset_ns = random_.StandardNormal() * static_cast<double>(jitter.count());
      break;
  }
  const auto delay = properties_.delay +
                     std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(offset_ns)));
  return std::max(delay, std::chrono::nanoseconds(0));
}

PacketFate DirectionModel::Decide(MonotonicTime arrival) {
  PacketFate fate;
  if (loss_.Lose(random_)) {
    fate.lost = true;
    return fate;
  }
  fate.release = arrival + SampleDelay();
  if (random_.Chance(properties_.reorder.value)) {
    fate.reordered = true;
    fate.release += properties_.reorder_gap;
  } else {
    fate.release = std::max(fate.release, last_in_order_release_);
    last_in_order_release_ = fate.release;
  }
  fate.duplicated = random_.Chance(properties_.duplicate.value);
  return fate;
}

}  // namespace linkmon::lab
