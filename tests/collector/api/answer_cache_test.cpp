#include "collector/api/answer_cache.h"

#include <gtest/gtest.h>

#include "tests/collector/windows/test_minutes.h"

namespace linkmon::api {
namespace {

using namespace std::chrono_literals;

// A render that counts its calls and writes the time it was asked for.
struct CountingRender {
  int calls = 0;
  bool refuse = false;
  AnswerCache::Render Make() {
    return [this](SystemTime now) -> std::optional<std::string> {
      ++calls;
      if (refuse) return std::nullopt;
      return std::to_string(now.time_since_epoch().count());
    };
  }
};

const SystemTime kT0 = testing::Epoch2026();

TEST(AnswerCacheTest, RendersOncePerVersionAndSecond) {
  AnswerCache cache('m');
  CountingRender render;
  const auto* first = cache.Get("a", 1, kT0, render.Make());
  ASSERT_NE(first, nullptr);
  const std::string etag = first->etag;
  EXPECT_EQ(cache.Get("a", 1, kT0 + 999ms, render.Make())->etag, etag);
  EXPECT_EQ(render.calls, 1);
  // A new second, a new version: rendered again, with a new tag.
  EXPECT_NE(cache.Get("a", 1, kT0 + 1s, render.Make())->etag, etag);
  EXPECT_EQ(render.calls, 2);
  EXPECT_NE(cache.Get("a", 2, kT0 + 1s, render.Make())->etag, etag);
  EXPECT_EQ(render.calls, 3);
  // Another key has its own answer and tag.
  EXPECT_NE(cache.Get("b", 2, kT0 + 1s, render.Make())->etag,
            cache.Get("a", 2, kT0 + 1s, render.Make())->etag);
  EXPECT_EQ(render.calls, 4);
}

TEST(AnswerCacheTest, RefreshRendersTheAnswersAskedForLatelySoThatGetFindsThemCurrent) {
  AnswerCache cache('r');
  CountingRender hot;
  CountingRender cold;
  cache.Get("hot", 1, kT0, hot.Make());
  cache.Get("cold", 1, kT0, cold.Make());
  // The same second and version: nothing to do.
  EXPECT_EQ(cache.Refresh(1, kT0 + 500ms), 0u);
  // "hot" is asked every second, "cold" not again.
  for (int s = 1; s <= AnswerCache::kHotSeconds + 2; ++s) {
    const SystemTime second = kT0 + s * 1s;
    cache.Refresh(1, second);
    const int calls = hot.calls;
    const auto* answer = cache.Get("hot", 1, second + 10ms, hot.Make());
    EXPECT_EQ(hot.calls, calls) << "second " << s << ": Get rendered, Refresh did not";
    EXPECT_EQ(*answer->body, std::to_string(second.time_since_epoch().count()));
  }
  // "cold" was rendered ahead while it was asked within kHotSeconds, not after.
  EXPECT_EQ(cold.calls, 1 + AnswerCache::kHotSeconds);
  // A minute closed (a new version) within a second: Refresh renders again.
  const SystemTime last = kT0 + (AnswerCache::kHotSeconds + 2) * 1s + 500ms;
  EXPECT_EQ(cache.Refresh(2, last), 1u);
  // Get of a cold answer renders it (never serves an old one).
  const int calls = cold.calls;
  EXPECT_EQ(*cache.Get("cold", 2, last, cold.Make())->body,
            std::to_string(last.time_since_epoch().count()));
  EXPECT_EQ(cold.calls, calls + 1);
}

TEST(AnswerCacheTest, IdleAnswersAndAnswersThatCanNoLongerBeRenderedAreDropped) {
  AnswerCache cache('r');
  CountingRender idle;
  CountingRender gone;
  cache.Get("idle", 1, kT0, idle.Make());
  cache.Get("gone", 1, kT0, gone.Make());
  ASSERT_EQ(cache.size(), 2u);
  gone.refuse = true;  // e.g. its SLA class was removed by a reload
  cache.Refresh(2, kT0 + 1s);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Get("gone", 2, kT0 + 1s, gone.Make()), nullptr);
  EXPECT_EQ(cache.size(), 1u);
  cache.Refresh(2, kT0 + (AnswerCache::kIdleSeconds + 1) * 1s);
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace linkmon::api
