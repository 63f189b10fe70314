#include "collector/ingest/gzip_decoder.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <zlib.h>

#include <string>
#include <vector>

namespace linkmon::ingest {
namespace {

// Gzip of `megabytes` MiB of zeros, deflated in chunks so that the test never holds the plain
// text: about 1 KiB per MiB.
std::string ZeroBomb(std::size_t megabytes) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::vector<unsigned char> zeros(1024 * 1024, 0);
  std::string out;
  std::vector<unsigned char> buffer(64 * 1024);
  for (std::size_t i = 0; i <= megabytes; ++i) {
    const bool last = i == megabytes;
    z.next_in = zeros.data();
    z.avail_in = last ? 0 : static_cast<uInt>(zeros.size());
    do {
      z.next_out = buffer.data();
      z.avail_out = static_cast<uInt>(buffer.size());
      deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(reinterpret_cast<char*>(buffer.data()), buffer.size() - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

long PeakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST(GzipDecoderTest, RoundTrips) {
  std::string plain;
  for (int i = 0; i < 100000; ++i) plain += std::to_string(i * 7919) + ",";
  const std::string compressed = Gzip(plain);
  EXPECT_LT(compressed.size(), plain.size());
  auto inflated = Gunzip(compressed, plain.size());
  ASSERT_TRUE(inflated.has_value()) << inflated.error().message;
  EXPECT_EQ(*inflated, plain);
  EXPECT_EQ(Gunzip(Gzip(""), 0).value(), "");
}

TEST(GzipDecoderTest, StopsAtTheLimitExactly) {
  const std::string plain(100'000, 'x');
  EXPECT_TRUE(Gunzip(Gzip(plain), 100'000).has_value());
  auto refused = Gunzip(Gzip(plain), 99'999);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kOutOfRange);
  EXPECT_EQ(refused.error().message, "gzip: decompresses to more than 99999 bytes");
}

// A 512 MiB bomb (about 0.5 MiB on the wire) against an 8 MiB limit: refused, and the process's
// peak memory grows by no more than the limit plus slack, never by the bomb's size.
TEST(GzipDecoderTest, RefusesABombWithoutMemoryGrowth) {
  const std::string bomb = ZeroBomb(512);
  ASSERT_LT(bomb.size(), 1024u * 1024u);
  const long before = PeakRssKiB();
  auto refused = Gunzip(bomb, 8 * 1024 * 1024);
  const long after = PeakRssKiB();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kOutOfRange);
  EXPECT_LT(after - before, 48 * 1024) << "peak RSS grew by " << (after - before) << " KiB";
}

TEST(GzipDecoderTest, RefusesDamagedStreams) {
  const std::string good = Gzip(std::string(10'000, 'a') + "linkmon");
  struct Case {
    std::string input;
    const char* message;
  };
  std::string bad_crc = good;
  bad_crc[bad_crc.size() - 6] ^= 0x01;  // inside the CRC-32 of the trailer
  const Case cases[] = {
      {"", "gzip: input ends before the end of the stream"},
      {"not gzip at all", "gzip: incorrect header check"},
      {good.substr(0, good.size() / 2), "gzip: input ends before the end of the stream"},
      {good + "trailing", "gzip: 8 bytes after the end of the stream"},
      {bad_crc, "gzip: incorrect data check"},
  };
  for (const Case& c : cases) {
    auto result = Gunzip(c.input, 1 << 20);
    ASSERT_FALSE(result.has_value()) << c.message;
    EXPECT_EQ(result.error().code, ErrorCode::kParse);
    EXPECT_EQ(result.error().message, c.message);
  }
}

}  // namespace
}  // namespace linkmon::ingest
