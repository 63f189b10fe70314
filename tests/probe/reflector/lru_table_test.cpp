#include "probe/reflector/lru_table.h"

#include <functional>
#include <string>

#include <gtest/gtest.h>

namespace linkmon::reflector {
namespace {

using Table = LruTable<int, std::string, std::hash<int>>;

TEST(LruTableTest, EvictsTheLeastRecentlyUsedWhenFull) {
  Table table(2);
  EXPECT_FALSE(table.Insert(1, "one").evicted);
  EXPECT_FALSE(table.Insert(2, "two").evicted);
  ASSERT_NE(table.Find(1), nullptr);  // 1 is now the most recently used
  Table::Inserted third = table.Insert(3, "three");
  EXPECT_TRUE(third.evicted);
  EXPECT_EQ(*third.value, "three");
  EXPECT_EQ(table.Find(2), nullptr);
  EXPECT_EQ(*table.Find(1), "one");
  EXPECT_EQ(table.size(), 2u);
}

TEST(LruTableTest, DropStaleStopsAtTheFirstFreshEntry) {
  Table table(10);
  table.Insert(1, "old");
  table.Insert(2, "old");
  table.Insert(3, "new");
  table.Insert(4, "old");  // most recent, though "old": DropStale only looks from the back
  EXPECT_EQ(table.DropStale([](const std::string& v) { return v == "old"; }), 2u);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.Find(1), nullptr);
  EXPECT_NE(table.Find(4), nullptr);
}

TEST(LruTableTest, CapacityIsAtLeastOne) {
  Table table(0);
  EXPECT_EQ(table.capacity(), 1u);
  table.Insert(1, "a");
  EXPECT_TRUE(table.Insert(2, "b").evicted);
}

}  // namespace
}  // namespace linkmon::reflector
