#pragma once

// A per-method setting of a Target that most targets do not have, held by pointer.
//
// Why: a probe with 10,000 ICMP targets keeps 10,000 Targets for its life, and inline
// std::optional<DnsSettings>, <ThroughputSettings> and <PassiveSettings> are 192 of a Target's
// 424 bytes while almost every target has none of them. Absent, this is 16 bytes; present, the
// value is immutable and shared by the copies of the Target it was made for (a hub group's
// members, the probe's and the collector's views of one config), so a Config stays plain data to
// copy and read from other threads. Reads like the std::optional it replaces.

#include <memory>
#include <optional>
#include <utility>

namespace linkmon::config {

template <typename T>
class SharedSetting {
 public:
  SharedSetting() = default;
  SharedSetting(std::nullopt_t) {}  // NOLINT(google-explicit-constructor): as std::optional
  SharedSetting(T value)            // NOLINT(google-explicit-constructor): as std::optional
      : value_(std::make_shared<const T>(std::move(value))) {}

  bool has_value() const { return value_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  // Precondition: has_value().
  const T& operator*() const { return *value_; }
  const T* operator->() const { return value_.get(); }

 private:
  std::shared_ptr<const T> value_;
};

}  // namespace linkmon::config
