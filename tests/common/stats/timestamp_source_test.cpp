#include "common/stats/timestamp_source.h"

#include <gtest/gtest.h>

namespace linkmon::stats {
namespace {

constexpr TimestampSource kAll[] = {TimestampSource::kNone, TimestampSource::kUserspace,
                                    TimestampSource::kKernel, TimestampSource::kMixed};

TEST(TimestampSourceTest, NamesRoundTrip) {
  EXPECT_EQ(TimestampSourceName(TimestampSource::kKernel), "kernel");
  EXPECT_EQ(TimestampSourceName(TimestampSource::kUserspace), "userspace");
  for (TimestampSource source : kAll) {
    EXPECT_EQ(ParseTimestampSource(TimestampSourceName(source)), source);
  }
  EXPECT_FALSE(ParseTimestampSource("hardware").has_value());
}

TEST(TimestampSourceTest, CombineKeepsOneKindAndMarksMixtures) {
  using enum TimestampSource;
  EXPECT_EQ(CombineTimestampSources(kNone, kKernel), kKernel);
  EXPECT_EQ(CombineTimestampSources(kUserspace, kNone), kUserspace);
  EXPECT_EQ(CombineTimestampSources(kKernel, kKernel), kKernel);
  EXPECT_EQ(CombineTimestampSources(kKernel, kUserspace), kMixed);
  EXPECT_EQ(CombineTimestampSources(kMixed, kKernel), kMixed);
  // Commutative and associative, as merging summaries in any order needs.
  for (TimestampSource a : kAll) {
    for (TimestampSource b : kAll) {
      EXPECT_EQ(CombineTimestampSources(a, b), CombineTimestampSources(b, a));
      for (TimestampSource c : kAll) {
        EXPECT_EQ(CombineTimestampSources(CombineTimestampSources(a, b), c),
                  CombineTimestampSources(a, CombineTimestampSources(b, c)));
      }
    }
  }
}

}  // namespace
}  // namespace linkmon::stats
