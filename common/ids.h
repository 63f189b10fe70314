#pragma once

// Identifiers shared by probe and collector: sites, targets, methods, SLA classes and the path key
// (source, target, method) that every measurement and metric is filed under.
//
// Names become Prometheus label values and API path segments, so they are validated once, here:
// 1..63 characters of [a-z0-9_-], starting with a letter or digit. That bounds label cardinality to
// what the config declares and keeps names safe in URLs, file names and logs.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace linkmon {

// True when `name` is a valid identifier (see above).
bool IsValidName(std::string_view name);

// A validated name; Tag keeps a site from being passed where an SLA class is expected.
template <typename Tag>
class Name {
 public:
  static Result<Name> Make(std::string_view value) {
    if (!IsValidName(value)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(Tag::kWhat) + " name '" + std::string(value) +
                           "' must be 1-63 characters of a-z, 0-9, '_' or '-', starting with a "
                           "letter or digit");
    }
    return Name(std::string(value));
  }

  const std::string& str() const { return value_; }
  auto operator<=>(const Name&) const = default;

 private:
  explicit Name(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

struct SiteTag {
  static constexpr const char* kWhat = "site";
};
struct TargetTag {
  static constexpr const char* kWhat = "target";
};
struct SlaClassTag {
  static constexpr const char* kWhat = "sla class";
};

// A place that runs a probe or is probed (a data center, a hub).
using SiteName = Name<SiteTag>;
// What a probe measures towards: usually a site's name, or a named host such as a DNS resolver.
using TargetName = Name<TargetTag>;
// A named set of SLA thresholds ("nationwide", "metro").
using SlaClassName = Name<SlaClassTag>;

// How a path is measured. Each method is its own path: ICMP and STAMP to the same hub are judged
// separately, because carriers may treat them differently.
enum class Method : std::uint8_t { kIcmp, kStamp, kTcp, kDns, kThroughput, kPassive };

inline constexpr Method kAllMethods[] = {Method::kIcmp, Method::kStamp,      Method::kTcp,
                                         Method::kDns,  Method::kThroughput, Method::kPassive};

std::string_view MethodName(Method method);
std::optional<Method> ParseMethod(std::string_view name);

// The unit of measurement and of SLA judgement: one source site towards one target by one method.
struct PathKey {
  SiteName source;
  TargetName target;
  Method method;

  auto operator<=>(const PathKey&) const = default;
  // "xining->shanghai/icmp", for logs and messages.
  std::string ToString() const;
};

struct PathKeyHash {
  std::size_t operator()(const PathKey& key) const;
};

}  // namespace linkmon
