#include "collector/api/rank_endpoint.h"

#include "tests/collector/api/api_fixture.h"
#include "tests/collector/api/api_request.h"

namespace linkmon::api {
namespace {

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

}  // namespace
}  // namespace linkmon::api
