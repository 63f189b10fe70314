#pragma once

// The collector's address as probes are told it: "http://192.0.2.5:9100" or
// "https://collector.example:8443/linkmon". Checked at load time so that a typo fails
// --check-config instead of the first upload.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace linkmon::config {

struct HttpUrl {
  bool tls = false;  // https
  std::string host;  // a DNS name or an IP literal (IPv6 without brackets)
  std::uint16_t port = 80;
  std::string path = "/";  // where uploads go, below which the API lives

  // Back to the written form, brackets around IPv6 hosts: "http://[2001:db8::5]:9100/".
  std::string ToString() const;
  bool operator==(const HttpUrl&) const = default;
};

// Refuses other schemes, user:password@ (credentials belong in token_file), empty or malformed
// hosts, and ports outside 1-65535. The port defaults to 80 or 443.
Result<HttpUrl> ParseHttpUrl(std::string_view text);

}  // namespace linkmon::config
