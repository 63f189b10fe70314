#include "probe/probers/dns_message.h"

#include <gtest/gtest.h>

namespace linkmon::probers {
namespace {

// Query ID 0xbeef, RD, one question: linkmon.example. A IN (RFC 1035 §4.1).
const std::vector<std::uint8_t> kQuery = {
    0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // header
    7,    'l',  'i',  'n',  'k',  'm',  'o',  'n',                           // label
    7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',  0,                       // label, root
    0x00, 0x01, 0x00, 0x01,                                                  // A, IN
};

std::vector<std::uint8_t> ResponseTo(std::vector<std::uint8_t> query, std::uint8_t rcode) {
  query[2] |= 0x80;                                    // QR
  query[3] = static_cast<std::uint8_t>(0x80 | rcode);  // RA, RCODE
  return query;
}

TEST(DnsMessageTest, QueryMatchesGoldenBytes) {
  EXPECT_EQ(EncodeDnsQuery(0xbeef, {.name = "linkmon.example"}), kQuery);
}

TEST(DnsMessageTest, ParsesAResponseToTheQuery) {
  std::vector<std::uint8_t> response = ResponseTo(kQuery, 3);
  response[6] = 0;  // ANCOUNT stays 0 for NXDOMAIN
  std::vector<std::uint8_t> upper = response;
  upper[13] = 'L';  // servers may echo the name in another case
  for (const auto& bytes : {response, upper}) {
    Result<DnsResponse> parsed = ParseDnsResponse(bytes);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(parsed->id, 0xbeef);
    EXPECT_EQ(parsed->rcode, 3);
    EXPECT_FALSE(parsed->truncated);
    EXPECT_EQ(parsed->question, (DnsQuestion{.name = "linkmon.example"}));
  }
}

TEST(DnsMessageTest, RefusesWhatIsNotAResponseToOneQuestion) {
  EXPECT_EQ(ParseDnsResponse(kQuery).error().message, "dns: not a response (QR clear)");
  std::vector<std::uint8_t> two_questions = ResponseTo(kQuery, 0);
  two_questions[5] = 2;
  EXPECT_EQ(ParseDnsResponse(two_questions).error().message,
            "dns: response does not carry exactly one question");
  std::vector<std::uint8_t> compressed = ResponseTo(kQuery, 0);
  compressed[12] = 0xc0;
  EXPECT_EQ(ParseDnsResponse(compressed).error().message,
            "dns: compressed or malformed question name");
  std::vector<std::uint8_t> cut = ResponseTo(kQuery, 0);
  cut.resize(20);
  EXPECT_EQ(ParseDnsResponse(cut).error().message, "dns: question name truncated");
  cut = ResponseTo(kQuery, 0);
  cut.resize(cut.size() - 2);
  EXPECT_EQ(ParseDnsResponse(cut).error().message, "dns: question type and class truncated");
  EXPECT_EQ(ParseDnsResponse({}).error().message, "dns: 0-byte message is shorter than a header");
}

TEST(DnsMessageTest, NormalizesNamesAndRefusesBadOnes) {
  EXPECT_EQ(*NormalizeDnsName("Hub.Example.NET."), "hub.example.net");
  EXPECT_EQ(*NormalizeDnsName("_dmarc.example"), "_dmarc.example");
  EXPECT_EQ(NormalizeDnsName("").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(NormalizeDnsName("a..b").error().message, "dns name 'a..b' has an empty label");
  EXPECT_EQ(NormalizeDnsName("a b").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      NormalizeDnsName(std::string(64, 'a') + ".example").error().message,
      "dns name '" + std::string(64, 'a') + ".example' has a label longer than 63 characters");
  EXPECT_EQ(NormalizeDnsName(std::string(254, 'a')).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace linkmon::probers
