#pragma once

// What one direction of a lab link does to the packets crossing it: the properties a topology file
// gives (`delay: 6ms, jitter: 0.2ms, loss: 0.1%, rate: 1Gbit`) and `linkmon-lab set` changes while
// the lab runs. Plain data; the emulator (lab/emulator/) and the traffic shaper (lab/netns/) act on
// it.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "common/result.h"
#include "common/units.h"

namespace linkmon::lab {

enum class JitterDistribution {
  kUniform,  // delay + U(-jitter, +jitter), as netem does without a distribution table
  kNormal,   // delay + N(0, jitter): jitter is the standard deviation
};

std::string_view JitterDistributionName(JitterDistribution distribution);

// A Gilbert–Elliott loss channel: a two-state Markov chain stepped once per packet. In the good
// state a packet is lost with `loss_good`, in the bad state with `loss_bad`; after each packet the
// chain moves good->bad with `p` and bad->good with `r`. With loss_good = 0 and loss_bad = 1 (the
// Gilbert model) losses come in bursts of geometric length with mean 1/r, and the long-run loss
// ratio is p / (p + r).
struct GilbertElliott {
  double p = 0.0;
  double r = 1.0;
  double loss_good = 0.0;
  double loss_bad = 1.0;
  bool operator==(const GilbertElliott&) const = default;
};

struct LinkProperties {
  // One-way delay added to every packet.
  std::chrono::nanoseconds delay{0};
  // Spread of the delay (see JitterDistribution). Packets keep their order unless `reorder` is set.
  std::chrono::nanoseconds jitter{0};
  JitterDistribution jitter_distribution = JitterDistribution::kUniform;
  // Independent (Bernoulli) loss, or with `loss_burst` the mean loss of a bursty channel.
  Ratio loss{0.0};
  // Mean length, in packets, of a loss burst (>= 1): turns `loss` into a Gilbert channel with
  // r = 1 / loss_burst and p chosen so that the long-run loss stays `loss`.
  std::optional<double> loss_burst;
  // The full four-parameter channel, instead of loss/loss_burst.
  std::optional<GilbertElliott> gilbert_elliott;
  // Fraction of packets delivered twice (the copy right after the original).
  Ratio duplicate{0.0};
  // Fraction of packets held back by `reorder_gap` beyond their own delay, letting the packets
  // behind them overtake.
  Ratio reorder{0.0};
  std::chrono::nanoseconds reorder_gap = std::chrono::milliseconds(1);
  // Bottleneck rate of IP packets (the veth's Ethernet header is not counted); none = unlimited.
  std::optional<Bandwidth> rate;
  // Size of the bottleneck's drop-tail queue, as time at `rate` (only meaningful with a rate).
  std::chrono::nanoseconds queue = std::chrono::milliseconds(50);

  bool operator==(const LinkProperties&) const = default;
};

// The loss channel the properties describe, in Gilbert–Elliott form: plain `loss` is a channel
// that never leaves the good state (loss_good = loss).
GilbertElliott EffectiveLossChannel(const LinkProperties& properties);

// Long-run loss ratio of a channel: the stationary mix of its two states' loss.
double StationaryLossRatio(const GilbertElliott& channel);

// A plain non-negative decimal ("4", "2.5"), as loss_burst is written; `what` names it in errors.
Result<double> ParseDecimal(std::string_view text, std::string_view what);

// Keys `linkmon-lab set` understands, in the order `status` prints them.
inline constexpr std::string_view kSettableKeys[] = {
    "delay",     "jitter",  "jitter_distribution", "loss", "loss_burst",
    "duplicate", "reorder", "reorder_gap",         "rate", "queue",
};

// Applies one `key=value` change, e.g. ("delay", "20ms"), ("loss_burst", "off"), ("rate", "off").
// Setting `loss` or `loss_burst` replaces an explicit gilbert_elliott channel. Refuses unknown keys
// (with a did-you-mean hint) and malformed or out-of-range values, leaving `properties` unchanged.
Status ApplySetting(LinkProperties& properties, std::string_view key, std::string_view value);

// Checks the ranges a topology file and `set` share; the message names the offending key.
Status Validate(const LinkProperties& properties);

// {"delay": "6ms", "delay_ns": 6000000, "loss": "0.1%", "loss_ratio": 0.001, ...}: each value as
// written in a topology file, and as a number whose unit the field name says.
nlohmann::json ToJson(const LinkProperties& properties);

// "delay=6ms jitter=200us loss=0.1% rate=1Gbps": the settings that differ from the defaults.
std::string Describe(const LinkProperties& properties);

}  // namespace linkmon::lab
