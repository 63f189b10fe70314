#include "common/stats/sequence_number.h"

#include <gtest/gtest.h>

namespace linkmon::stats {
namespace {

TEST(SequenceNumberTest, OrdersAcrossTheWrap) {
  EXPECT_TRUE(SequenceBefore(1, 2));
  EXPECT_FALSE(SequenceBefore(2, 1));
  EXPECT_FALSE(SequenceBefore(7, 7));
  EXPECT_TRUE(SequenceBefore(0xffffffffu, 0));
  EXPECT_FALSE(SequenceBefore(0, 0xffffffffu));
  EXPECT_TRUE(SequenceBefore(0xfffffff0u, 0x10));
  // Half the space apart is the edge: 2^31 - 1 ahead is "after", 2^31 ahead is not.
  EXPECT_TRUE(SequenceBefore(0, 0x7fffffffu));
  EXPECT_FALSE(SequenceBefore(0, 0x80000000u));
}

}  // namespace
}  // namespace linkmon::stats
