#include "collector/api/path_endpoint.h"

#include "collector/store/summary_store.h"
#include "tests/collector/api/api_fixture.h"
#include "tests/collector/api/api_request.h"

namespace linkmon::api {
namespace {

using testing::Call;
using namespace std::chrono_literals;

class PathEndpointTest : public testing::ApiFixture {};

TEST_F(PathEndpointTest, ShowsWindowsJudgementBudgetMinutesAndTheOpenBreach) {
  PathEndpoint endpoint(*states_);
  auto reply = Call(endpoint, "/api/v1/paths/xining/haidong");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto body = reply.Json();
  EXPECT_EQ(body["src"], "xining");
  EXPECT_EQ(body["dst"], "haidong");
  EXPECT_EQ(body["from"], "2025-12-31T23:10:00Z");  // default: the hour before windows_end
  EXPECT_EQ(body["to"], "2026-01-01T00:10:00Z");
  ASSERT_EQ(body["paths"].size(), 1u);
  const auto& path = body["paths"][0];
  EXPECT_EQ(path["method"], "icmp");
  EXPECT_EQ(path["sla_class"], "metro");
  EXPECT_EQ(path["sla_state"], "breach");
  ASSERT_EQ(path["windows"].size(), 3u);
  EXPECT_EQ(path["windows"][1]["window"], "5m");
  EXPECT_EQ(path["windows"][1]["window_seconds"], 300);
  EXPECT_EQ(path["windows"][1]["probes_sent"], 300);
  EXPECT_EQ(path["windows"][2]["minutes_with_data"], 10);
  EXPECT_EQ(path["judgement"]["minute_verdict"], "bad");
  EXPECT_EQ(path["judgement"]["thresholds"][0]["outcome"], "violated");
  EXPECT_LT(path["judgement"]["thresholds"][0]["margin"].get<double>(), 0);
  const auto& budget = path["error_budget"];
  EXPECT_EQ(budget["good_minutes"], 5);
  EXPECT_EQ(budget["bad_minutes"], 5);
  EXPECT_NEAR(budget["allowed_bad_minutes"].get<double>(), 43.2, 1e-9);
  EXPECT_NEAR(budget["remaining_ratio"].get<double>(), 1 - 5 / 43.2, 1e-9);
  EXPECT_NEAR(budget["burn_rate_1h"].get<double>(), 0.5 / 0.001, 1e-6);
  const auto& minutes = path["minutes"];
  ASSERT_EQ(minutes.size(), 10u);
  EXPECT_EQ(minutes[0]["start"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(minutes[0]["verdict"], "good");
  EXPECT_EQ(minutes[0]["probes_sent"], 60);
  EXPECT_EQ(minutes[9]["verdict"], "bad");
  EXPECT_NEAR(minutes[9]["rtt_p99_seconds"].get<double>(), 0.002, 0.002 / 128);
  const auto& open = path["open_breach"];
  ASSERT_TRUE(open.is_object());
  EXPECT_EQ(open["start"], "2026-01-01T00:05:00Z");
  EXPECT_TRUE(open["end"].is_null());
  EXPECT_EQ(open["open"], true);
  EXPECT_EQ(open["bad_minutes"], 5);
  EXPECT_EQ(open["duration_seconds"], 330);  // 00:05:00 .. now 00:10:30
  EXPECT_EQ(open["thresholds_crossed"][0]["name"], "rtt_p99");
  EXPECT_NEAR(open["thresholds_crossed"][0]["worst_value"].get<double>(), 0.002, 0.002 / 128);
  EXPECT_EQ(path["breaches"].size(), 1u);
}

TEST_F(PathEndpointTest, ARangeSelectsMinutesAndAMethodSelectsAPath) {
  PathEndpoint endpoint(*states_);
  auto body = Call(endpoint,
                   "/api/v1/paths/xining/beijing?method=stamp&from=2026-01-01T00:08:00Z&to="
                   "1767226200")
                  .Json();
  ASSERT_EQ(body["paths"].size(), 1u);
  EXPECT_EQ(body["paths"][0]["method"], "stamp");
  EXPECT_EQ(body["paths"][0]["minutes"].size(), 2u);  // 00:08, 00:09
  EXPECT_EQ(Call(endpoint, "/api/v1/paths/xining/beijing").Json()["paths"].size(), 2u);
}

TEST_F(PathEndpointTest, UnknownNamesAre404BadParameters400) {
  PathEndpoint endpoint(*states_);
  auto src = Call(endpoint, "/api/v1/paths/lhasa/beijing");
  EXPECT_EQ(src.status, 404u);
  EXPECT_EQ(src.Json()["error"], "src: unknown site 'lhasa'");
  EXPECT_EQ(Call(endpoint, "/api/v1/paths/xining/lhasa").Json()["error"],
            "dst: unknown target 'lhasa'");
  auto none = Call(endpoint, "/api/v1/paths/haidong/beijing");
  EXPECT_EQ(none.status, 404u);
  EXPECT_EQ(none.Json()["error"], "no path from haidong to beijing in the config");
  EXPECT_EQ(Call(endpoint, "/api/v1/paths/xining/haidong?method=stamp").status, 404u);
  EXPECT_EQ(Call(endpoint, "/api/v1/paths/xining").status, 404u);
  EXPECT_EQ(Call(endpoint, "/api/v1/paths/xining/haidong/x").status, 404u);
  EXPECT_EQ(Call(endpoint, "/api/v1/paths/xining/haidong?from=yesterday").Json()["error"],
            "from: expected Unix seconds or 2026-01-01T00:00:00Z, got 'yesterday'");
  EXPECT_EQ(
      Call(endpoint, "/api/v1/paths/xining/haidong?from=1767226200&to=1767226200").Json()["error"],
      "from: must be before to");
  EXPECT_EQ(Call(endpoint, "/api/v1/paths/xining/haidong?from=0&to=1767226200").status, 400u);
  EXPECT_EQ(Call(endpoint, "/api/v1/paths/xining/haidong?method=x").status, 400u);
}

// Minutes older than the longest window (1 h) have left PathStates' memory; the store still has
// them, so their figures come from it, and the newest minutes' from memory.
class PathEndpointStoreTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    auto store = store::SummaryStore::Open(store::StoreOptions{.path = ":memory:"});
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    // The fixture's xining -> haidong minutes 00:00 .. 00:09, stored as ingest stores them.
    const SystemTime t0 = testing::Epoch2026();
    batch::Batch batch{.probe = *SiteName::Make("xining"),
                       .probe_start = t0,
                       .sequence = 1,
                       .created = t0 + 10min,
                       .summaries = {}};
    for (int m = 0; m < 10; ++m) {
      for (int i = 0; i < 6; ++i) {
        auto summary = testing::SummaryAt(t0 + m * 1min + i * 10s, m < 5 ? 500us : 2ms, 10);
        summary.rfc3550_jitter = 1ms;
        batch.summaries.push_back({testing::Path("xining", "haidong"), summary, std::nullopt});
      }
    }
    ASSERT_TRUE(store_->ApplyBatch(batch, t0 + 10min));
    // Two hours on: 02:00 has one interval in memory only (not stored: the store is not asked
    // for minutes memory still holds).
    clock_.Advance(t0 + 2h + 10s - clock_.SystemNow());
    Feed(testing::Path("xining", "haidong"), t0 + 2h, 2ms);
    clock_.Advance(t0 + 2h + 1min + 30s - clock_.SystemNow());
    states_->Tick(clock_.SystemNow());
  }

  std::unique_ptr<store::SummaryStore> store_;
};

TEST_F(PathEndpointStoreTest, OldMinutesHaveTheStoredFiguresNewOnesMemorys) {
  const std::string request = "/api/v1/paths/xining/haidong?from=1767225600&to=1767232860";
  PathEndpoint endpoint(*states_, nullptr, store_.get());
  auto reply = Call(endpoint, request);
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto minutes = reply.Json()["paths"][0]["minutes"];
  ASSERT_EQ(minutes.size(), 121u);  // 00:00 .. 02:00
  EXPECT_EQ(minutes[0]["start"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(minutes[0]["verdict"], "good");
  EXPECT_EQ(minutes[0]["probes_sent"], 60);
  EXPECT_EQ(minutes[0]["probes_received"], 60);
  EXPECT_EQ(minutes[0]["loss_ratio"], 0.0);
  EXPECT_NEAR(minutes[0]["rtt_p50_seconds"].get<double>(), 0.0005, 0.0005 / 128);
  EXPECT_NEAR(minutes[0]["jitter_seconds"].get<double>(), 0.001, 1e-12);
  EXPECT_TRUE(minutes[0]["throughput_bits_per_second"].is_null());
  EXPECT_EQ(minutes[9]["verdict"], "bad");
  EXPECT_NEAR(minutes[9]["rtt_p95_seconds"].get<double>(), 0.002, 0.002 / 128);
  EXPECT_NEAR(minutes[9]["rtt_p99_seconds"].get<double>(), 0.002, 0.002 / 128);
  EXPECT_EQ(minutes[10]["verdict"], "unknown");  // no data in memory or store
  EXPECT_TRUE(minutes[10]["probes_sent"].is_null());
  EXPECT_EQ(minutes[120]["start"], "2026-01-01T02:00:00Z");
  EXPECT_EQ(minutes[120]["probes_sent"], 10);  // from memory

  // The control: without the store the same old minutes have no figures.
  PathEndpoint memory_only(*states_);
  const auto without = Call(memory_only, request).Json()["paths"][0]["minutes"];
  ASSERT_EQ(without.size(), 121u);
  EXPECT_EQ(without[0]["verdict"], "good");
  EXPECT_TRUE(without[0]["probes_sent"].is_null());
  EXPECT_EQ(without[120]["probes_sent"], 10);
}

}  // namespace
}  // namespace linkmon::api
