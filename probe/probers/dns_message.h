#pragma once

// The DNS messages of the DNS prober (RFC 1035 §4): a query with one question, and just enough
// of the response to match it and judge it.
//
//   Header (§4.1.1), 12 bytes:
//    0| ID (16) | 2| QR(1) Opcode(4) AA TC RD | RA Z(3) RCODE(4) |
//    4| QDCOUNT | 6| ANCOUNT | 8| NSCOUNT | 10| ARCOUNT |
//   Question (§4.1.2): QNAME (length-prefixed labels, ending with 0), QTYPE (16), QCLASS (16).
//
// A response matches a query when the ID, the question name (ASCII case-insensitively, as DNS
// compares names), type and class are the same; the question must not use compression (no
// server compresses the first name of a message, since there is nothing before it to point to).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace linkmon::probers {

inline constexpr std::uint16_t kDnsTypeA = 1;
inline constexpr std::uint16_t kDnsClassIn = 1;

struct DnsQuestion {
  std::string name;  // "example.net", lower case, no trailing dot
  std::uint16_t type = kDnsTypeA;
  std::uint16_t dns_class = kDnsClassIn;
  bool operator==(const DnsQuestion&) const = default;
};

// Checks and normalises a name for queries: labels of 1..63 letters, digits, '-' or '_', at most
// 253 characters, an optional trailing dot; returned in lower case without the dot.
Result<std::string> NormalizeDnsName(std::string_view name);

// A recursive (RD) query for `question`; the name must be normalised.
std::vector<std::uint8_t> EncodeDnsQuery(std::uint16_t id, const DnsQuestion& question);

struct DnsResponse {
  std::uint16_t id = 0;
  std::uint8_t rcode = 0;  // 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, ...
  bool truncated = false;  // TC: the answer did not fit in UDP
  std::uint16_t answer_count = 0;
  DnsQuestion question;
};

// Reads a response's header and question. Errors (kParse): shorter than a header, not a response
// (QR clear), not exactly one question, a malformed or compressed question name.
Result<DnsResponse> ParseDnsResponse(std::span<const std::uint8_t> message);

}  // namespace linkmon::probers
