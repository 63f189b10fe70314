#include "collector/api/breaches_endpoint.h"

#include <fmt/format.h>

#include "tests/collector/api/api_fixture.h"
#include "tests/collector/api/api_request.h"

namespace linkmon::api {
namespace {

using namespace std::chrono_literals;
using testing::Call;

class BreachesEndpointTest : public testing::ApiFixture {};

TEST_F(BreachesEndpointTest, ListsOpenAndClosedBreachesOldestFirst) {
  // Make the metro breach close: five good minutes 00:10 .. 00:14.
  const SystemTime t0 = testing::Epoch2026();
  for (int m = 10; m < 15; ++m) {
    clock_.Advance(t0 + m * 1min + 30s - clock_.SystemNow());
    for (int i = 0; i < 6; ++i) Feed(testing::Path("xining", "haidong"), t0 + m * 1min + i * 10s,
                                     400us);
  }
  clock_.Advance(t0 + 15min + 20s - clock_.SystemNow());
  states_->Tick(clock_.SystemNow());

  BreachesEndpoint endpoint(*states_);
  auto reply = Call(endpoint, "/api/v1/breaches?from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto body = reply.Json();
  const auto& breaches = body["breaches"];
  ASSERT_EQ(breaches.size(), 2u) << body.dump(2);
  EXPECT_EQ(breaches[0]["dst"], "beijing");  // stamp at 25 ms, open since 00:00
  EXPECT_EQ(breaches[0]["method"], "stamp");
  EXPECT_EQ(breaches[0]["open"], true);
  EXPECT_EQ(breaches[1]["dst"], "haidong");
  EXPECT_EQ(breaches[1]["open"], false);
  EXPECT_EQ(breaches[1]["start"], "2026-01-01T00:05:00Z");
  EXPECT_EQ(breaches[1]["end"], "2026-01-01T00:10:00Z");
  EXPECT_EQ(breaches[1]["duration_seconds"], 300);
  EXPECT_EQ(breaches[1]["id"], "xining->haidong/icmp@1767225900");
  EXPECT_EQ(breaches[1]["sla_class"], "metro");
  EXPECT_TRUE(breaches[1]["thresholds_crossed"][0]["limit"].is_number());

  auto filtered = Call(endpoint, "/api/v1/breaches?src=xining&dst=haidong").Json();
  ASSERT_EQ(filtered["breaches"].size(), 1u);
  EXPECT_EQ(filtered["breaches"][0]["dst"], "haidong");
  EXPECT_TRUE(Call(endpoint, "/api/v1/breaches?src=haidong").Json()["breaches"].empty());
  EXPECT_TRUE(
      Call(endpoint, "/api/v1/breaches?from=2026-01-01T00:10:00Z&to=2026-01-01T00:11:00Z&dst="
                     "haidong")
          .Json()["breaches"]
          .empty());
}

TEST_F(BreachesEndpointTest, GivesCsvForSpreadsheets) {
  BreachesEndpoint endpoint(*states_);
  auto reply = Call(endpoint, "/api/v1/breaches?dst=haidong&format=csv");
  ASSERT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(reply.body,
            "id,src,dst,method,sla_class,start,end,duration_seconds,bad_minutes,"
            "thresholds_crossed\r\n"
            "xining->haidong/icmp@1767225900,xining,haidong,icmp,metro,2026-01-01T00:05:00Z,open,"
            "330,5,rtt_p99:1m:limit=0.001:worst=" +
                [&] {
                  // The worst p99 is the histogram's estimate of 2 ms.
                  auto json = Call(endpoint, "/api/v1/breaches?dst=haidong").Json();
                  return fmt::format(
                      "{}", json["breaches"][0]["thresholds_crossed"][0]["worst_value"]
                                .get<double>());
                }() +
                ":minutes=5\r\n");
  auto by_accept = Call(endpoint, "/api/v1/breaches", "", "text/csv");
  EXPECT_EQ(by_accept.content_type, "text/csv; charset=utf-8");
}

TEST_F(BreachesEndpointTest, UnknownNamesAre404BadParameters400) {
  BreachesEndpoint endpoint(*states_);
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?src=lhasa").status, 404u);
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?src=lhasa").Json()["error"],
            "src: unknown site 'lhasa'");
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?dst=lhasa").status, 404u);
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?format=xml").Json()["error"],
            "format: expected json or csv, got 'xml'");
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")
                .status,
            400u);
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?to=soon").status, 400u);
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?carrier=x").status, 400u);
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?limit=0").Json()["error"],
            "limit: expected 1 to 10000, got '0'");
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?limit=10001").status, 400u);
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?limit=5x").status, 400u);
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?cursor=abc").Json()["error"],
            "cursor: expected the next_cursor of an earlier answer, got 'abc'");
  // A start past what a time point holds is refused, not wrapped into another position.
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?cursor=9223372037_x").status, 400u);
  EXPECT_EQ(Call(endpoint, "/api/v1/breaches?cursor=-1_x").status, 400u);
}

}  // namespace
}  // namespace linkmon::api
