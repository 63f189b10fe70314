#include "lab/topology/link_properties.h"

#include <charconv>
#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/yaml/suggest.h"

namespace linkmon::lab {

namespace {

using std::chrono::nanoseconds;

constexpr nanoseconds kMaxDelay = std::chrono::seconds(10);
constexpr double kMaxLossBurst = 1e6;
constexpr std::uint64_t kMinRateBitsPerSecond = 8'000;            // htb cannot shape much slower
constexpr std::uint64_t kMaxRateBitsPerSecond = 100'000'000'000;  // far beyond what veth carries

std::vector<std::string> SettableKeyList() {
  return {std::begin(kSettableKeys), std::end(kSettableKeys)};
}

Status CheckRatio(double value, std::string_view what, bool allow_one) {
  if (value < 0.0 || value > 1.0 || (!allow_one && value >= 1.0)) {
    return MakeError(ErrorCode::kOutOfRange,
                     std::string(what) + ": " + FormatRatio(Ratio{value}) + " is out of range");
  }
  return {};
}

}  // namespace

Result<double> ParseDecimal(std::string_view text, std::string_view what) {
  double value = 0;
  const bool plain =
      !text.empty() && text.find_first_not_of("0123456789.") == std::string_view::npos;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!plain || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return MakeError(ErrorCode::kParse,
                     std::string(what) + ": expected a number, got '" + std::string(text) + "'");
  }
  return value;
}

std::string_view JitterDistributionName(JitterDistribution distribution) {
  switch (distribution) {
    case JitterDistribution::kUniform:
      return "uniform";
    case JitterDistribution::kNormal:
      return "normal";
  }
  return "uniform";
}

GilbertElliott EffectiveLossChannel(const LinkProperties& properties) {
  if (properties.gilbert_elliott) return *properties.gilbert_elliott;
  const double loss = properties.loss.value;
  if (!properties.loss_burst || loss <= 0.0) {
    return GilbertElliott{.p = 0.0, .r = 1.0, .loss_good = loss, .loss_bad = 1.0};
  }
  // Gilbert: every packet in the bad state is lost, none in the good one. Bad sojourns are
  // geometric with mean 1/r; the stationary bad share p/(p+r) must equal `loss`.
  const double r = 1.0 / *properties.loss_burst;
  const double p = loss * r / (1.0 - loss);
  return GilbertElliott{.p = std::min(p, 1.0), .r = r, .loss_good = 0.0, .loss_bad = 1.0};
}

double StationaryLossRatio(const GilbertElliott& channel) {
  if (channel.p <= 0.0) return channel.loss_good;
  const double bad_share = channel.p / (channel.p + channel.r);
  return (1.0 - bad_share) * channel.loss_good + bad_share * channel.loss_bad;
}

Status Validate(const LinkProperties& properties) {
  auto check_duration = [](nanoseconds value, std::string_view what) -> Status {
    if (value < nanoseconds(0) || value > kMaxDelay) {
      return MakeError(ErrorCode::kOutOfRange, std::string(what) + ": " + FormatDuration(value) +
                                                   " is above the maximum of " +
                                                   FormatDuration(kMaxDelay));
    }
    return {};
  };
  if (auto s = check_duration(properties.delay, "delay"); !s) return s;
  if (auto s = check_duration(properties.jitter, "jitter"); !s) return s;
  if (auto s = check_duration(properties.reorder_gap, "reorder_gap"); !s) return s;
  if (auto s = check_duration(properties.queue, "queue"); !s) return s;
  if (properties.queue < std::chrono::milliseconds(1)) {
    return MakeError(ErrorCode::kOutOfRange,
                     "queue: " + FormatDuration(properties.queue) + " is below the minimum of 1ms");
  }
  if (auto s = CheckRatio(properties.loss.value, "loss", !properties.loss_burst); !s) return s;
  if (auto s = CheckRatio(properties.duplicate.value, "duplicate", true); !s) return s;
  if (auto s = CheckRatio(properties.reorder.value, "reorder", true); !s) return s;
  if (properties.loss_burst &&
      (*properties.loss_burst < 1.0 || *properties.loss_burst > kMaxLossBurst)) {
    return MakeError(ErrorCode::kOutOfRange,
                     "loss_burst: mean burst length must be between 1 and 1000000 packets");
  }
  if (properties.loss_burst && properties.gilbert_elliott) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "gilbert_elliott: give either loss/loss_burst or gilbert_elliott, not both");
  }
  if (const auto& ge = properties.gilbert_elliott) {
    if (properties.loss.value > 0.0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "gilbert_elliott: give either loss/loss_burst or gilbert_elliott, not both");
    }
    if (auto s = CheckRatio(ge->p, "gilbert_elliott.p", true); !s) return s;
    if (auto s = CheckRatio(ge->r, "gilbert_elliott.r", true); !s) return s;
    if (ge->r <= 0.0) {
      return MakeError(ErrorCode::kOutOfRange,
                       "gilbert_elliott.r: must be above 0% or the bad state never ends");
    }
    if (auto s = CheckRatio(ge->loss_good, "gilbert_elliott.loss_good", true); !s) return s;
    if (auto s = CheckRatio(ge->loss_bad, "gilbert_elliott.loss_bad", true); !s) return s;
  }
  if (properties.rate && (properties.rate->bits_per_second < kMinRateBitsPerSecond ||
                          properties.rate->bits_per_second > kMaxRateBitsPerSecond)) {
    return MakeError(ErrorCode::kOutOfRange,
                     "rate: " + FormatBandwidth(*properties.rate) + " is outside 8kbps .. 100Gbps");
  }
  return {};
}

Status ApplySetting(LinkProperties& properties, std::string_view key, std::string_view value) {
  LinkProperties changed = properties;
  auto fail = [&](const Error& error) {
    return MakeError(error.code, std::string(key) + ": " + error.message);
  };
  if (key == "delay" || key == "jitter" || key == "reorder_gap" || key == "queue") {
    auto duration = ParseDuration(value);
    if (!duration) return fail(duration.error());
    (key == "delay"    ? changed.delay
     : key == "jitter" ? changed.jitter
     : key == "queue"  ? changed.queue
                       : changed.reorder_gap) = *duration;
  } else if (key == "jitter_distribution") {
    if (value == "uniform") {
      changed.jitter_distribution = JitterDistribution::kUniform;
    } else if (value == "normal") {
      changed.jitter_distribution = JitterDistribution::kNormal;
    } else {
      return MakeError(ErrorCode::kInvalidArgument, "jitter_distribution: unknown value '" +
                                                        std::string(value) +
                                                        "'; expected one of: uniform, normal");
    }
  } else if (key == "loss" || key == "duplicate" || key == "reorder") {
    auto ratio = ParseRatio(value);
    if (!ratio) return fail(ratio.error());
    (key == "loss"        ? changed.loss
     : key == "duplicate" ? changed.duplicate
                          : changed.reorder) = *ratio;
    if (key == "loss") changed.gilbert_elliott.reset();
  } else if (key == "loss_burst") {
    if (value == "off") {
      changed.loss_burst.reset();
    } else {
      auto burst = ParseDecimal(value, key);
      if (!burst) return tl::unexpected(burst.error());
      changed.loss_burst = *burst;
    }
    changed.gilbert_elliott.reset();
  } else if (key == "rate") {
    if (value == "off") {
      changed.rate.reset();
    } else {
      auto rate = ParseBandwidth(value);
      if (!rate) return fail(rate.error());
      changed.rate = *rate;
    }
  } else {
    const auto keys = SettableKeyList();
    std::string hint = config::yaml::DidYouMean(key, keys);
    if (hint.empty()) hint = "; known keys: " + config::yaml::JoinNames(keys);
    return MakeError(ErrorCode::kInvalidArgument,
                     "unknown link property '" + std::string(key) + "'" + hint);
  }
  if (auto valid = Validate(changed); !valid) return valid;
  properties = changed;
  return {};
}

nlohmann::json ToJson(const LinkProperties& properties) {
  nlohmann::json out;
  auto duration = [&](const char* key, nanoseconds value) {
    out[key] = FormatDuration(value);
    out[std::string(key) + "_ns"] = value.count();
  };
  auto ratio = [&](const char* key, Ratio value) {
    out[key] = FormatRatio(value);
    out[std::string(key) + "_ratio"] = value.value;
  };
  duration("delay", properties.delay);
  duration("jitter", properties.jitter);
  out["jitter_distribution"] = JitterDistributionName(properties.jitter_distribution);
  ratio("loss", properties.loss);
  out["loss_burst_packets"] =
      properties.loss_burst ? nlohmann::json(*properties.loss_burst) : nlohmann::json(nullptr);
  const GilbertElliott channel = EffectiveLossChannel(properties);
  out["gilbert_elliott"] = {{"p", channel.p},
                            {"r", channel.r},
                            {"loss_good", channel.loss_good},
                            {"loss_bad", channel.loss_bad},
                            {"stationary_loss_ratio", StationaryLossRatio(channel)}};
  ratio("duplicate", properties.duplicate);
  ratio("reorder", properties.reorder);
  duration("reorder_gap", properties.reorder_gap);
  if (properties.rate) {
    out["rate"] = FormatBandwidth(*properties.rate);
    out["rate_bps"] = properties.rate->bits_per_second;
  } else {
    out["rate"] = nullptr;
    out["rate_bps"] = nullptr;
  }
  duration("queue", properties.queue);
  return out;
}

std::string Describe(const LinkProperties& properties) {
  const LinkProperties defaults;
  std::string out = "delay=" + FormatDuration(properties.delay);
  auto add = [&](std::string_view key, const std::string& value) {
    out += " ";
    out += key;
    out += "=";
    out += value;
  };
  if (properties.jitter != defaults.jitter) {
    add("jitter", FormatDuration(properties.jitter));
    if (properties.jitter_distribution != defaults.jitter_distribution) {
      add("jitter_distribution",
          std::string(JitterDistributionName(properties.jitter_distribution)));
    }
  }
  if (properties.gilbert_elliott) {
    const auto& ge = *properties.gilbert_elliott;
    add("gilbert_elliott", "p:" + FormatRatio(Ratio{ge.p}) + ",r:" + FormatRatio(Ratio{ge.r}) +
                               ",loss_good:" + FormatRatio(Ratio{ge.loss_good}) +
                               ",loss_bad:" + FormatRatio(Ratio{ge.loss_bad}));
  } else if (properties.loss.value > 0.0) {
    add("loss", FormatRatio(properties.loss));
  }
  if (properties.loss_burst) {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, *properties.loss_burst);
    add("loss_burst", ec == std::errc() ? std::string(buffer, end) : "?");
  }
  if (properties.duplicate != defaults.duplicate)
    add("duplicate", FormatRatio(properties.duplicate));
  if (properties.reorder != defaults.reorder) {
    add("reorder", FormatRatio(properties.reorder));
    add("reorder_gap", FormatDuration(properties.reorder_gap));
  }
  if (properties.rate) {
    add("rate", FormatBandwidth(*properties.rate));
    add("queue", FormatDuration(properties.queue));
  }
  return out;
}

}  // namespace linkmon::lab
