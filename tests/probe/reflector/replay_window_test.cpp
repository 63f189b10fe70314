#include "probe/reflector/replay_window.h"

#include <gtest/gtest.h>

namespace linkmon::reflector {
namespace {

using Verdict = ReplayWindow::Verdict;

TEST(ReplayWindowTest, AcceptsEachNumberOnce) {
  ReplayWindow window(64);
  EXPECT_EQ(window.Accept(10), Verdict::kNew);
  EXPECT_EQ(window.Accept(10), Verdict::kRepeat);
  EXPECT_EQ(window.Accept(11), Verdict::kNew);
  EXPECT_EQ(window.Accept(11), Verdict::kRepeat);
  EXPECT_EQ(window.Accept(10), Verdict::kRepeat);
}

TEST(ReplayWindowTest, AcceptsReorderedNumbersInsideTheWindowOnly) {
  ReplayWindow window(64);
  EXPECT_EQ(window.Accept(100), Verdict::kNew);
  EXPECT_EQ(window.Accept(99), Verdict::kNew);  // late but within the window
  EXPECT_EQ(window.Accept(37), Verdict::kNew);  // 63 behind: the last slot of the window
  EXPECT_EQ(window.Accept(36), Verdict::kTooOld);
  EXPECT_EQ(window.Accept(99), Verdict::kRepeat);
  EXPECT_EQ(window.Accept(200), Verdict::kNew);  // a jump clears everything
  EXPECT_EQ(window.Accept(100), Verdict::kTooOld);
  EXPECT_EQ(window.Accept(150), Verdict::kNew);
}

TEST(ReplayWindowTest, SlotsReusedAfterSlidingDoNotRememberOldNumbers) {
  ReplayWindow window(64);
  for (std::uint32_t n = 0; n < 64; ++n) ASSERT_EQ(window.Accept(n), Verdict::kNew);
  // 64 shares slot 0 with 0; 65 shares with 1. After sliding they are new numbers.
  EXPECT_EQ(window.Accept(65), Verdict::kNew);
  EXPECT_EQ(window.Accept(64), Verdict::kNew);
  EXPECT_EQ(window.Accept(64), Verdict::kRepeat);
  // The window is now 2..65: 2 was seen, 1 has slid out.
  EXPECT_EQ(window.Accept(2), Verdict::kRepeat);
  EXPECT_EQ(window.Accept(1), Verdict::kTooOld);
}

TEST(ReplayWindowTest, SurvivesTheWrapAt2To32) {
  ReplayWindow window(128);
  EXPECT_EQ(window.Accept(0xffff'fffeU), Verdict::kNew);
  EXPECT_EQ(window.Accept(0xffff'ffffU), Verdict::kNew);
  EXPECT_EQ(window.Accept(0), Verdict::kNew);
  EXPECT_EQ(window.Accept(1), Verdict::kNew);
  EXPECT_EQ(window.Accept(0xffff'ffffU), Verdict::kRepeat);
  EXPECT_EQ(window.Accept(0xffff'fffdU), Verdict::kNew);
  EXPECT_EQ(window.Accept(1), Verdict::kRepeat);
}

TEST(ReplayWindowTest, SizeIsRoundedToAPowerOfTwoWithinBounds) {
  EXPECT_EQ(ReplayWindow(1).size(), 64u);
  EXPECT_EQ(ReplayWindow(100).size(), 128u);
  EXPECT_EQ(ReplayWindow(1024).size(), 1024u);
  EXPECT_EQ(ReplayWindow(1'000'000).size(), 65536u);
}

}  // namespace
}  // namespace linkmon::reflector
