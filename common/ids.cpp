#include "common/ids.h"

namespace linkmon {

namespace {

constexpr std::size_t kMaxNameLength = 63;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || !IsLowerAlnum(name.front())) return false;
  for (char c : name) {
    if (!IsLowerAlnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

std::string_view MethodName(Method method) {
  switch (method) {
    case Method::kIcmp: return "icmp";
    case Method::kStamp: return "stamp";
    case Method::kTcp: return "tcp";
    case Method::kDns: return "dns";
    case Method::kThroughput: return "throughput";
    case Method::kPassive: return "passive";
  }
  return "unknown";
}

std::optional<Method> ParseMethod(std::string_view name) {
  for (Method method : kAllMethods) {
    if (MethodName(method) == name) return method;
  }
  return std::nullopt;
}

std::string PathKey::ToString() const {
  return source.str() + "->" + target.str() + "/" + std::string(MethodName(method));
}

std::size_t PathKeyHash::operator()(const PathKey& key) const {
  std::size_t h = std::hash<std::string>{}(key.source.str());
  h = h * 31 + std::hash<std::string>{}(key.target.str());
  h = h * 31 + static_cast<std::size_t>(key.method);
  return h;
}

}  // namespace linkmon
