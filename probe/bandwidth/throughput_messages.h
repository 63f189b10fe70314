#pragma once

// The control exchange of a linkmon throughput test, over one TCP connection from the probe (the
// sender) to the reflector (the receiver). Every message carries an HMAC-SHA-256/128 with the
// reflector's STAMP key (probe/stamp/hmac_key.h): a reflector serves throughput tests to
// authenticated probes only, so nobody else can make it a traffic sink or have it answer.
//
//   probe -> reflector   TestRequest   mode, rate, duration, datagram size, nonce, time
//   reflector -> probe   TestResponse  verdict (accepted or why not), data port, granted figures
//   probe -> reflector   data: UDP datagrams to the data port, or bytes on this connection
//   probe -> reflector   one byte 'E' (UDP: the sender is done), or half-close (TCP)
//   reflector -> probe   TestReport    what arrived
//
// The response and the report MAC the request's nonce as well, so neither can be replayed into
// another test. A reflector refuses a request whose nonce it has seen or whose time is more than
// kMaxClockSkew from its own (clocks of probes are NTP-synchronised within far less).
//
// Wire formats, network byte order:
//
//   TestRequest (64 bytes)                    TestResponse (56 bytes)
//    0  magic "LMTQ"                            0  magic "LMTR"
//    4  version (1)   5 mode (1 UDP, 2 TCP)     4  version (1)   5 verdict (TestVerdict)
//    6  reserved (0, 2 bytes)                   6  UDP data port
//    8  rate, bit/s (8)                         8  granted (or, refused, the cap's) rate (8)
//   16  duration, ms (4)                       16  granted (or cap's) duration, ms (4)
//   20  UDP datagram payload bytes (2)         20  session id for UDP datagrams (4)
//   22  reserved (0, 2 bytes)                  24  HMAC over bytes 0..23 + request nonce (16)
//   24  nonce (16)                             40  reserved (0, 16 bytes)
//   40  sender's wall time, ns since 1970 (8)
//   48  HMAC over bytes 0..47 (16)
//
//   TestReport (64 bytes)                     UDP test datagram (>= 20 bytes; echo: 20 bytes)
//    0  magic "LMTE"                            0  magic "LMTD" (echo "LMTA")
//    4  version (1)  5 mode  6 reserved (2)     4  session id (4)
//    8  datagrams received (8)                  8  sequence number (4)
//   16  payload bytes received (8)             12  sender's monotonic send time, ns (8)
//   24  first to last arrival, ns (8)          20  padding to the requested size
//   32  duplicate datagrams (4)
//   36  datagrams out of order (4)
//   40  bytes refused above the granted rate (8)
//   48  HMAC over bytes 0..47 + request nonce (16)

#include <array>
#include <chrono>
#include <cstdint>
#include <span>

#include "common/result.h"
#include "common/units.h"
#include "probe/stamp/hmac_key.h"

namespace linkmon::bandwidth {

inline constexpr std::size_t kRequestBytes = 64;
inline constexpr std::size_t kResponseBytes = 56;
inline constexpr std::size_t kReportBytes = 64;
inline constexpr std::size_t kDatagramHeaderBytes = 20;
inline constexpr std::size_t kEchoBytes = 20;
inline constexpr std::chrono::seconds kMaxClockSkew{300};

enum class TestMode : std::uint8_t { kUdp = 1, kTcp = 2 };

enum class TestVerdict : std::uint8_t {
  kAccepted = 0,
  kBadAuthentication = 1,  // HMAC does not verify
  kReplayed = 2,           // nonce seen before, or time too far from the reflector's
  kRateAboveCap = 3,
  kDurationAboveCap = 4,
  kBusy = 5,       // another test is running
  kDutyCycle = 6,  // the reflector's share of test time is used up; try later
  kMalformed = 7,
  kSourceNotAllowed = 8,
};

std::string_view TestVerdictName(TestVerdict verdict);

using Nonce = std::array<std::uint8_t, 16>;

struct TestRequest {
  TestMode mode = TestMode::kUdp;
  Bandwidth rate{0};
  std::chrono::milliseconds duration{0};
  std::uint16_t datagram_bytes = 0;  // UDP payload bytes of each test datagram
  Nonce nonce{};
  std::chrono::nanoseconds sent_unix{0};
  bool operator==(const TestRequest&) const = default;
};

struct TestResponse {
  TestVerdict verdict = TestVerdict::kMalformed;
  std::uint16_t udp_port = 0;
  Bandwidth rate{0};
  std::chrono::milliseconds duration{0};
  std::uint32_t session = 0;
  bool operator==(const TestResponse&) const = default;
};

struct TestReport {
  TestMode mode = TestMode::kUdp;
  std::uint64_t datagrams = 0;
  std::uint64_t bytes = 0;
  std::chrono::nanoseconds arrival_span{0};
  std::uint32_t duplicates = 0;
  std::uint32_t out_of_order = 0;
  std::uint64_t bytes_above_rate = 0;
  bool operator==(const TestReport&) const = default;
};

using RequestBytes = std::array<std::uint8_t, kRequestBytes>;
using ResponseBytes = std::array<std::uint8_t, kResponseBytes>;
using ReportBytes = std::array<std::uint8_t, kReportBytes>;

Result<RequestBytes> EncodeRequest(const TestRequest& request, const stamp::HmacKey& key);
// Errors: kParse (magic, version, mode, reserved bytes), kPermission (HMAC does not verify).
Result<TestRequest> DecodeRequest(std::span<const std::uint8_t, kRequestBytes> bytes,
                                  const stamp::HmacKey& key);

Result<ResponseBytes> EncodeResponse(const TestResponse& response, const Nonce& nonce,
                                     const stamp::HmacKey& key);
Result<TestResponse> DecodeResponse(std::span<const std::uint8_t, kResponseBytes> bytes,
                                    const Nonce& nonce, const stamp::HmacKey& key);

Result<ReportBytes> EncodeReport(const TestReport& report, const Nonce& nonce,
                                 const stamp::HmacKey& key);
Result<TestReport> DecodeReport(std::span<const std::uint8_t, kReportBytes> bytes,
                                const Nonce& nonce, const stamp::HmacKey& key);

struct DatagramHeader {
  std::uint32_t session = 0;
  std::uint32_t sequence = 0;
  std::chrono::nanoseconds sent{0};  // the sender's monotonic clock
  bool operator==(const DatagramHeader&) const = default;
};

// Writes the header (magic "LMTD", or "LMTA" for an echo) into the first 20 bytes of `out`.
void EncodeDatagramHeader(const DatagramHeader& header, bool echo,
                          std::span<std::uint8_t, kDatagramHeaderBytes> out);
// Errors (kParse): shorter than 20 bytes, wrong magic for `echo`.
Result<DatagramHeader> DecodeDatagramHeader(std::span<const std::uint8_t> datagram, bool echo);

}  // namespace linkmon::bandwidth
