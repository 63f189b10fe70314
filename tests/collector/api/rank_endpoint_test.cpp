#include "collector/api/rank_endpoint.h"

#include "tests/collector/api/api_fixture.h"
#include "tests/collector/api/api_request.h"
#include "tests/collector/api/reference_renderers.h"

namespace linkmon::api {
namespace {

using namespace std::chrono_literals;
using testing::Call;

class RankEndpointTest : public testing::ApiFixture {};

TEST_F(RankEndpointTest, ListsTargetsMeetingTheClassBestFirstWithMargins) {
  RankEndpoint endpoint(*states_);
  auto reply = Call(endpoint, "/api/v1/rank?from=xining&sla=nationwide");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto body = reply.Json();
  EXPECT_EQ(body["from"], "xining");
  EXPECT_EQ(body["sla_class"], "nationwide");
  const auto& targets = body["targets"];
  ASSERT_EQ(targets.size(), 3u) << body.dump(2);
  // Headroom: haidong min(10/12, 18/20, 1/2, 1) = 0.5; shanghai 4/12; beijing 1/12.
  EXPECT_EQ(targets[0]["dst"], "haidong");
  EXPECT_EQ(targets[1]["dst"], "shanghai");
  EXPECT_EQ(targets[2]["dst"], "beijing");
  EXPECT_NEAR(targets[0]["headroom_ratio"].get<double>(), 0.5, 1e-9);
  EXPECT_NEAR(targets[1]["headroom_ratio"].get<double>(), 4.0 / 12, 0.01);
  EXPECT_NEAR(targets[2]["headroom_ratio"].get<double>(), 1.0 / 12, 0.01);
  // haidong is in breach of its own (metro) class: reported, not judged here.
  EXPECT_EQ(targets[0]["open_breach"], true);
  const auto& thresholds = targets[2]["thresholds"];
  ASSERT_EQ(thresholds.size(), 4u);
  EXPECT_EQ(thresholds[0]["name"], "rtt_p50");
  EXPECT_EQ(thresholds[0]["unit"], "seconds");
  EXPECT_EQ(thresholds[0]["window"], "1m");
  EXPECT_EQ(thresholds[0]["limit"], 0.012);
  EXPECT_NEAR(thresholds[0]["margin"].get<double>(), 0.001, 0.011 / 128);
  EXPECT_EQ(thresholds[0]["outcome"], "met");
  EXPECT_EQ(thresholds[3]["name"], "loss");
  EXPECT_EQ(thresholds[3]["unit"], "ratio");
  EXPECT_EQ(thresholds[3]["window"], "5m");
  EXPECT_EQ(thresholds[3]["margin"], 0.01);
  // The others, with why.
  const auto& others = body["not_meeting"];
  ASSERT_EQ(others.size(), 2u);
  EXPECT_EQ(others[0]["dst"], "beijing");
  EXPECT_EQ(others[0]["method"], "stamp");
  EXPECT_EQ(others[0]["reason"], "violates rtt_p50");
  EXPECT_EQ(others[1]["method"], "throughput");
  EXPECT_EQ(others[1]["reason"], "no data yet");
}

TEST_F(RankEndpointTest, StalePathsNeverMeetAClass) {
  RankEndpoint endpoint(*states_);
  auto body = Call(endpoint, "/api/v1/rank?from=haidong&sla=metro").Json();
  EXPECT_TRUE(body["targets"].empty());
  ASSERT_EQ(body["not_meeting"].size(), 1u);
  EXPECT_EQ(body["not_meeting"][0]["sla_state"], "stale");
  EXPECT_EQ(body["not_meeting"][0]["reason"], "stale: no data for 510 s");
}

TEST_F(RankEndpointTest, AMethodNarrowsTheListAndAStricterClassDropsTargets) {
  RankEndpoint endpoint(*states_);
  auto body = Call(endpoint, "/api/v1/rank?from=xining&sla=metro&method=icmp").Json();
  // metro: rtt_p99 <= 1 ms: nothing from xining meets it (haidong is at 2 ms now).
  EXPECT_TRUE(body["targets"].empty());
  EXPECT_EQ(body["not_meeting"].size(), 3u);
  EXPECT_EQ(body["not_meeting"][0]["reason"], "violates rtt_p99");
}

TEST_F(RankEndpointTest, UnknownSitesAndClassesAre404MissingOrBadParameters400) {
  RankEndpoint endpoint(*states_);
  auto site = Call(endpoint, "/api/v1/rank?from=lhasa&sla=nationwide");
  EXPECT_EQ(site.status, 404u);
  EXPECT_EQ(site.Json()["error"], "from: unknown site 'lhasa'");
  auto sla = Call(endpoint, "/api/v1/rank?from=xining&sla=gold");
  EXPECT_EQ(sla.status, 404u);
  EXPECT_EQ(sla.Json()["error"], "sla: unknown SLA class 'gold'");
  EXPECT_EQ(Call(endpoint, "/api/v1/rank?sla=nationwide").status, 400u);
  EXPECT_EQ(Call(endpoint, "/api/v1/rank?from=xining").Json()["error"],
            "sla: required (an SLA class)");
  EXPECT_EQ(Call(endpoint, "/api/v1/rank?from=xining&sla=metro&method=smoke").status, 400u);
  EXPECT_EQ(Call(endpoint, "/api/v1/rank?from=Xining%00&sla=metro").status, 404u);
}

// The answer written with JsonWriter is the one the nlohmann::json tree gave (the same fields and
// values; JSON object members have no order), for every site, class and method, as the clock
// moves and paths turn stale.
TEST_F(RankEndpointTest, SameAnswersAsTheTreeRenderer) {
  std::vector<std::optional<Method>> methods = {std::nullopt, Method::kIcmp, Method::kStamp,
                                                Method::kThroughput};
  for (auto step : {0s, 1s, 90s}) {
    clock_.Advance(step);
    const SystemTime now = clock_.SystemNow();
    for (const char* site : {"xining", "haidong", "beijing"}) {
      for (const char* sla : {"metro", "nationwide", "circuit"}) {
        for (const auto& method : methods) {
          const SiteName source = *SiteName::Make(site);
          const config::SlaClass& sla_class = *states_->FindSlaClass(sla);
          const std::string written = RenderRank(*states_, source, sla_class, method, now);
          EXPECT_EQ(nlohmann::json::parse(written), nlohmann::json::parse(testing::ReferenceRank(
                                                        *states_, source, sla_class, method, now)))
              << site << " " << sla << " " << written;
        }
      }
    }
  }
  // The case with the most in it was compared: three targets with four thresholds each.
  EXPECT_EQ(nlohmann::json::parse(RenderRank(*states_, *SiteName::Make("xining"),
                                             *states_->FindSlaClass("nationwide"), std::nullopt,
                                             clock_.SystemNow() - 91s))["targets"]
                .size(),
            3u);
}

TEST_F(RankEndpointTest, RefreshRendersTheAnswersAskedForForTheNewSecond) {
  RankEndpoint endpoint(*states_);
  const auto first = Call(endpoint, "/api/v1/rank?from=xining&sla=nationwide");
  EXPECT_EQ(endpoint.Refresh(), 0u);  // current
  clock_.Advance(1s);
  EXPECT_EQ(endpoint.Refresh(), 1u);
  const auto next = Call(endpoint, "/api/v1/rank?from=xining&sla=nationwide");
  EXPECT_NE(next.etag, first.etag);
  EXPECT_EQ(next.Json()["generated_at"], "2026-01-01T00:10:31Z");
  EXPECT_EQ(next.Json()["targets"][0]["data_age_seconds"], 31.0);
  EXPECT_EQ(Call(endpoint, "/api/v1/rank?from=xining&sla=nationwide", next.etag).status, 304u);
  // Another question has another tag.
  EXPECT_NE(Call(endpoint, "/api/v1/rank?from=xining&sla=metro").etag, next.etag);
  // Not asked for within AnswerCache::kHotSeconds: not rendered ahead any more.
  clock_.Advance(10s);
  EXPECT_EQ(endpoint.Refresh(), 0u);
}

}  // namespace
}  // namespace linkmon::api
