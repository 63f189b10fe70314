#include "probe/bandwidth/throughput_messages.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "probe/net/big_endian.h"

namespace linkmon::bandwidth {
namespace {

using net::GetU16;
using net::GetU32;
using net::GetU64;
using net::PutU16;
using net::PutU32;
using net::PutU64;

constexpr std::uint8_t kVersion = 1;

bool MagicIs(std::span<const std::uint8_t> bytes, const char (&magic)[5]) {
  return std::memcmp(bytes.data(), magic, 4) == 0;
}

void PutMagic(std::uint8_t* out, const char (&magic)[5]) { std::memcpy(out, magic, 4); }

bool ValidMode(std::uint8_t mode) {
  return mode == static_cast<std::uint8_t>(TestMode::kUdp) ||
         mode == static_cast<std::uint8_t>(TestMode::kTcp);
}

// The MAC of a response or report covers its own bytes and the request's nonce.
Result<stamp::Hmac> MacWithNonce(std::span<const std::uint8_t> bytes, const Nonce& nonce,
                                 const stamp::HmacKey& key) {
  std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
  data.insert(data.end(), nonce.begin(), nonce.end());
  return key.Compute(data);
}

bool VerifyWithNonce(std::span<const std::uint8_t> bytes, const Nonce& nonce,
                     std::span<const std::uint8_t, stamp::kHmacSize> mac,
                     const stamp::HmacKey& key) {
  std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
  data.insert(data.end(), nonce.begin(), nonce.end());
  return key.Verify(data, mac);
}

Error Malformed(const std::string& what) { return Error{ErrorCode::kParse, what}; }

}  // namespace

std::string_view TestVerdictName(TestVerdict verdict) {
  switch (verdict) {
    case TestVerdict::kAccepted:
      return "accepted";
    case TestVerdict::kBadAuthentication:
      return "bad_authentication";
    case TestVerdict::kReplayed:
      return "replayed";
    case TestVerdict::kRateAboveCap:
      return "rate_above_cap";
    case TestVerdict::kDurationAboveCap:
      return "duration_above_cap";
    case TestVerdict::kBusy:
      return "busy";
    case TestVerdict::kDutyCycle:
      return "duty_cycle";
    case TestVerdict::kMalformed:
      return "malformed";
    case TestVerdict::kSourceNotAllowed:
      return "source_not_allowed";
  }
  return "unknown";
}

Result<RequestBytes> EncodeRequest(const TestRequest& request, const stamp::HmacKey& key) {
  RequestBytes out{};
  PutMagic(&out[0], "LMTQ");
  out[4] = kVersion;
  out[5] = static_cast<std::uint8_t>(request.mode);
  PutU64(&out[8], request.rate.bits_per_second);
  PutU32(&out[16], static_cast<std::uint32_t>(request.duration.count()));
  PutU16(&out[20], request.datagram_bytes);
  std::copy(request.nonce.begin(), request.nonce.end(), out.begin() + 24);
  PutU64(&out[40], static_cast<std::uint64_t>(request.sent_unix.count()));
  auto mac = key.Compute(std::span<const std::uint8_t>(out.data(), 48));
  if (!mac) return tl::unexpected(mac.error());
  std::copy(mac->begin(), mac->end(), out.begin() + 48);
  return out;
}

Result<TestRequest> DecodeRequest(std::span<const std::uint8_t, kRequestBytes> bytes,
                                  const stamp::HmacKey& key) {
  if (!MagicIs(bytes, "LMTQ")) return tl::unexpected(Malformed("throughput request: bad magic"));
  if (bytes[4] != kVersion) {
    return tl::unexpected(
        Error{ErrorCode::kUnsupported, "throughput request: version " + std::to_string(bytes[4])});
  }
  if (!ValidMode(bytes[5])) return tl::unexpected(Malformed("throughput request: bad mode"));
  if (GetU16(&bytes[6]) != 0 || GetU16(&bytes[22]) != 0) {
    return tl::unexpected(Malformed("throughput request: reserved bytes not zero"));
  }
  if (!key.Verify(bytes.first(48), bytes.subspan<48, stamp::kHmacSize>())) {
    return tl::unexpected(
        Error{ErrorCode::kPermission, "throughput request: HMAC does not verify"});
  }
  TestRequest request;
  request.mode = static_cast<TestMode>(bytes[5]);
  request.rate = Bandwidth{GetU64(&bytes[8])};
  request.duration = std::chrono::milliseconds(GetU32(&bytes[16]));
  request.datagram_bytes = GetU16(&bytes[20]);
  std::copy_n(bytes.begin() + 24, 16, request.nonce.begin());
  request.sent_unix = std::chrono::nanoseconds(static_cast<std::int64_t>(GetU64(&bytes[40])));
  return request;
}

Result<ResponseBytes> EncodeResponse(const TestResponse& response, const Nonce& nonce,
                                     const stamp::HmacKey& key) {
  ResponseBytes out{};
  PutMagic(&out[0], "LMTR");
  out[4] = kVersion;
  out[5] = static_cast<std::uint8_t>(response.verdict);
  PutU16(&out[6], response.udp_port);
  PutU64(&out[8], response.rate.bits_per_second);
  PutU32(&out[16], static_cast<std::uint32_t>(response.duration.count()));
  PutU32(&out[20], response.session);
  auto mac = MacWithNonce(std::span<const std::uint8_t>(out.data(), 24), nonce, key);
  if (!mac) return tl::unexpected(mac.error());
  std::copy(mac->begin(), mac->end(), out.begin() + 24);
  return out;
}

Result<TestResponse> DecodeResponse(std::span<const std::uint8_t, kResponseBytes> bytes,
                                    const Nonce& nonce, const stamp::HmacKey& key) {
  if (!MagicIs(bytes, "LMTR")) return tl::unexpected(Malformed("throughput response: bad magic"));
  if (bytes[4] != kVersion) {
    return tl::unexpected(
        Error{ErrorCode::kUnsupported, "throughput response: version " + std::to_string(bytes[4])});
  }
  if (bytes[5] > static_cast<std::uint8_t>(TestVerdict::kSourceNotAllowed)) {
    return tl::unexpected(Malformed("throughput response: unknown verdict"));
  }
  if (!VerifyWithNonce(bytes.first(24), nonce, bytes.subspan<24, stamp::kHmacSize>(), key)) {
    return tl::unexpected(
        Error{ErrorCode::kPermission, "throughput response: HMAC does not verify"});
  }
  TestResponse response;
  response.verdict = static_cast<TestVerdict>(bytes[5]);
  response.udp_port = GetU16(&bytes[6]);
  response.rate = Bandwidth{GetU64(&bytes[8])};
  response.duration = std::chrono::milliseconds(GetU32(&bytes[16]));
  response.session = GetU32(&bytes[20]);
  return response;
}

Result<ReportBytes> EncodeReport(const TestReport& report, const Nonce& nonce,
                                 const stamp::HmacKey& key) {
  ReportBytes out{};
  PutMagic(&out[0], "LMTE");
  out[4] = kVersion;
  out[5] = static_cast<std::uint8_t>(report.mode);
  PutU64(&out[8], report.datagrams);
  PutU64(&out[16], report.bytes);
  PutU64(&out[24], static_cast<std::uint64_t>(report.arrival_span.count()));
  PutU32(&out[32], report.duplicates);
  PutU32(&out[36], report.out_of_order);
  PutU64(&out[40], report.bytes_above_rate);
  auto mac = MacWithNonce(std::span<const std::uint8_t>(out.data(), 48), nonce, key);
  if (!mac) return tl::unexpected(mac.error());
  std::copy(mac->begin(), mac->end(), out.begin() + 48);
  return out;
}

Result<TestReport> DecodeReport(std::span<const std::uint8_t, kReportBytes> bytes,
                                const Nonce& nonce, const stamp::HmacKey& key) {
  if (!MagicIs(bytes, "LMTE")) return tl::unexpected(Malformed("throughput report: bad magic"));
  if (bytes[4] != kVersion) {
    return tl::unexpected(
        Error{ErrorCode::kUnsupported, "throughput report: version " + std::to_string(bytes[4])});
  }
  if (!ValidMode(bytes[5])) return tl::unexpected(Malformed("throughput report: bad mode"));
  if (!VerifyWithNonce(bytes.first(48), nonce, bytes.subspan<48, stamp::kHmacSize>(), key)) {
    return tl::unexpected(Error{ErrorCode::kPermission, "throughput report: HMAC does not verify"});
  }
  const std::uint64_t span = GetU64(&bytes[24]);
  if (span > static_cast<std::uint64_t>(INT64_MAX)) {
    return tl::unexpected(Malformed("throughput report: arrival span out of range"));
  }
  TestReport report;
  report.mode = static_cast<TestMode>(bytes[5]);
  report.datagrams = GetU64(&bytes[8]);
  report.bytes = GetU64(&bytes[16]);
  report.arrival_span = std::chrono::nanoseconds(static_cast<std::int64_t>(span));
  report.duplicates = GetU32(&bytes[32]);
  report.out_of_order = GetU32(&bytes[36]);
  report.bytes_above_rate = GetU64(&bytes[40]);
  return report;
}

void EncodeDatagramHeader(const DatagramHeader& header, bool echo,
                          std::span<std::uint8_t, kDatagramHeaderBytes> out) {
  PutMagic(out.data(), echo ? "LMTA" : "LMTD");
  PutU32(&out[4], header.session);
  PutU32(&out[8], header.sequence);
  PutU64(&out[12], static_cast<std::uint64_t>(header.sent.count()));
}

Result<DatagramHeader> DecodeDatagramHeader(std::span<const std::uint8_t> datagram, bool echo) {
  if (datagram.size() < kDatagramHeaderBytes) {
    return tl::unexpected(Malformed("throughput datagram: shorter than its header"));
  }
  if (!MagicIs(datagram, echo ? "LMTA" : "LMTD")) {
    return tl::unexpected(Malformed("throughput datagram: bad magic"));
  }
  return DatagramHeader{GetU32(&datagram[4]), GetU32(&datagram[8]),
                        std::chrono::nanoseconds(static_cast<std::int64_t>(GetU64(&datagram[12])))};
}

}  // namespace linkmon::bandwidth
