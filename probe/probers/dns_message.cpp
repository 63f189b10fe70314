#include "probe/probers/dns_message.h"

#include <fmt/format.h>

#include "probe/net/big_endian.h"

namespace linkmon::probers {

namespace {

constexpr std::size_t kHeaderBytes = 12;
constexpr std::size_t kMaxNameChars = 253;
constexpr std::size_t kMaxLabelChars = 63;

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

Result<std::string> NormalizeDnsName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > kMaxNameChars) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("dns name '{}' must have 1 to {} characters", name, kMaxNameChars));
  }
  std::string out;
  out.reserve(name.size());
  std::size_t label = 0;
  for (char raw : name) {
    char c = Lower(raw);
    if (c == '.') {
      if (label == 0) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("dns name '{}' has an empty label", name));
      }
      label = 0;
    } else if (!IsNameChar(c)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("dns name '{}' has a character other than letters, digits, "
                                   "'-' and '_'",
                                   name));
    } else if (++label > kMaxLabelChars) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("dns name '{}' has a label longer than {} characters", name, kMaxLabelChars));
    }
    out.push_back(c);
  }
  if (label == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("dns name '{}' has an empty label", name));
  }
  return out;
}

std::vector<std::uint8_t> EncodeDnsQuery(std::uint16_t id, const DnsQuestion& question) {
  std::vector<std::uint8_t> message(kHeaderBytes, 0);
  net::PutU16(message.data(), id);
  message[2] = 0x01;                   // RD: ask the resolver to recurse
  net::PutU16(message.data() + 4, 1);  // QDCOUNT
  std::size_t start = 0;
  while (start <= question.name.size()) {
    std::size_t dot = question.name.find('.', start);
    if (dot == std::string::npos) dot = question.name.size();
    message.push_back(static_cast<std::uint8_t>(dot - start));
    message.insert(message.end(), question.name.begin() + static_cast<long>(start),
                   question.name.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  message.push_back(0);
  std::uint8_t tail[4];
  net::PutU16(tail, question.type);
  net::PutU16(tail + 2, question.dns_class);
  message.insert(message.end(), tail, tail + 4);
  return message;
}

Result<DnsResponse> ParseDnsResponse(std::span<const std::uint8_t> message) {
  if (message.size() < kHeaderBytes) {
    return MakeError(ErrorCode::kParse,
                     fmt::format("dns: {}-byte message is shorter than a header", message.size()));
  }
  const std::uint8_t* in = message.data();
  DnsResponse response;
  response.id = net::GetU16(in);
  if ((in[2] & 0x80) == 0) return MakeError(ErrorCode::kParse, "dns: not a response (QR clear)");
  response.truncated = (in[2] & 0x02) != 0;
  response.rcode = in[3] & 0x0f;
  if (net::GetU16(in + 4) != 1) {
    return MakeError(ErrorCode::kParse, "dns: response does not carry exactly one question");
  }
  response.answer_count = net::GetU16(in + 6);
  std::size_t at = kHeaderBytes;
  std::string name;
  while (true) {
    if (at >= message.size()) return MakeError(ErrorCode::kParse, "dns: question name truncated");
    std::uint8_t length = message[at++];
    if (length == 0) break;
    if (length > kMaxLabelChars) {
      return MakeError(ErrorCode::kParse, "dns: compressed or malformed question name");
    }
    if (at + length > message.size()) {
      return MakeError(ErrorCode::kParse, "dns: question name truncated");
    }
    if (!name.empty()) name.push_back('.');
    for (std::size_t i = 0; i < length; ++i)
      name.push_back(Lower(static_cast<char>(message[at + i])));
    at += length;
    if (name.size() > kMaxNameChars) {
      return MakeError(ErrorCode::kParse, "dns: question name longer than 253 characters");
    }
  }
  if (at + 4 > message.size()) {
    return MakeError(ErrorCode::kParse, "dns: question type and class truncated");
  }
  response.question.name = std::move(name);
  response.question.type = net::GetU16(in + at);
  response.question.dns_class = net::GetU16(in + at + 2);
  return response;
}

}  // namespace linkmon::probers
