#include "config/http_url.h"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace linkmon::config {

namespace {

bool IsHostNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

// RFC 1123 host name: dot-separated labels of letters, digits and '-', none empty.
bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.back() == '.') return false;
  std::size_t label = 0;
  for (char c : host) {
    if (!IsHostNameChar(c)) return false;
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (++label > 63) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string HttpUrl::ToString() const {
  std::string out = tls ? "https://" : "http://";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  out += ":" + std::to_string(port) + path;
  return out;
}

Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  auto refuse = [text](std::string_view why) {
    return MakeError(ErrorCode::kParse,
                     "invalid URL '" + std::string(text) + "': " + std::string(why));
  };
  HttpUrl url;
  std::string_view rest;
  if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else if (text.starts_with("https://")) {
    url.tls = true;
    url.port = 443;
    rest = text.substr(8);
  } else {
    return refuse("must start with http:// or https://");
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F)
      return refuse("contains a space or control character");
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) url.path = std::string(rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) {
    return refuse("credentials do not belong in the URL; use token_file");
  }
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return refuse("'[' without ']'");
    url.host = std::string(authority.substr(1, close - 1));
    boost::system::error_code error;
    auto address = boost::asio::ip::make_address(url.host, error);
    if (error || !address.is_v6()) return refuse("'" + url.host + "' is not an IPv6 address");
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return refuse("expected ':PORT' after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return refuse("empty port");
    }
  } else {
    const std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return refuse("empty port");
    }
    if (!IsHostName(url.host)) return refuse("'" + url.host + "' is not a host name or address");
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return refuse("port must be a number from 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  return url;
}

}  // namespace linkmon::config
