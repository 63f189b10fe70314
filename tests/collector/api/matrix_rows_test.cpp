// MatrixRows keeps each path's row between answers and splices the clock's values in: its
// answers must be the bytes the full render (reference_renderers.h, the renderer before rows were
// kept) gives on the same state, whatever changed in between: the clock (ages, a path turning
// stale), one path's data, a closed minute, a reload.

#include "collector/api/matrix_rows.h"

#include "collector/api/matrix_endpoint.h"
#include "tests/collector/api/api_fixture.h"
#include "tests/collector/api/reference_renderers.h"

namespace linkmon::api {
namespace {

using namespace std::chrono_literals;
using testing::Epoch2026;
using testing::Path;
using testing::ReferenceMatrix;

class MatrixRowsTest : public testing::ApiFixture {
 protected:
  // Every window and filter of the endpoint against the reference, at the clock's present.
  void ExpectSameAsReference(MatrixEndpoint& endpoint) {
    const SystemTime now = clock_.SystemNow();
    std::vector<MatrixEndpoint::Filter> filters = {
        {},
        {SiteName::Make("xining").value(), std::nullopt},
        {std::nullopt, Method::kIcmp},
        {SiteName::Make("xining").value(), Method::kThroughput},
        {SiteName::Make("beijing").value(), std::nullopt}};
    for (std::size_t window = 0; window < states_->options().windows.size(); ++window) {
      for (const auto& filter : filters) {
        EXPECT_EQ(endpoint.Render(window, now, filter),
                  ReferenceMatrix(*states_, window, now, filter))
            << "window " << window;
      }
    }
  }

  // The JSON row of `path` in the full matrix on the shortest window.
  nlohmann::json RowOf(MatrixEndpoint& endpoint, const PathKey& path) {
    const auto body = nlohmann::json::parse(endpoint.Render(0, clock_.SystemNow()));
    for (const auto& row : body["paths"]) {
      if (row["src"] == path.source.str() && row["dst"] == path.target.str() &&
          row["method"] == std::string(MethodName(path.method))) {
        return row;
      }
    }
    return nullptr;
  }
};

TEST_F(MatrixRowsTest, SameBytesAsAFullRenderAsTheClockMovesAndPathsTurnStale) {
  MatrixEndpoint endpoint(*states_);
  ExpectSameAsReference(endpoint);
  EXPECT_EQ(RowOf(endpoint, Path("xining", "beijing"))["sla_state"], "ok");
  clock_.Advance(1s);
  ExpectSameAsReference(endpoint);
  clock_.Advance(250ms);  // ages with a fraction of a second
  ExpectSameAsReference(endpoint);
  // Data until 00:10:00, stale after 2 min: the rows kept must not keep "ok".
  clock_.Advance(90s);
  ExpectSameAsReference(endpoint);
  EXPECT_EQ(RowOf(endpoint, Path("xining", "beijing"))["sla_state"], "stale");
}

TEST_F(MatrixRowsTest, ARowIsRenderedAgainWhenItsPathsDataArrivesWithinAMinute) {
  MatrixEndpoint endpoint(*states_);
  ExpectSameAsReference(endpoint);
  // 00:10:30: data of 00:10:10-00:10:20 for one path; no minute closes, the version stays.
  const std::uint64_t version = states_->version();
  Feed(Path("xining", "beijing"), Epoch2026() + 10min + 10s, 11ms);
  ASSERT_EQ(states_->version(), version);
  ExpectSameAsReference(endpoint);
  EXPECT_EQ(RowOf(endpoint, Path("xining", "beijing"))["last_data_time"], "2026-01-01T00:10:20Z");
  EXPECT_EQ(RowOf(endpoint, Path("xining", "beijing"))["data_age_seconds"], 10.0);
  EXPECT_EQ(RowOf(endpoint, Path("xining", "shanghai"))["data_age_seconds"], 30.0);
}

TEST_F(MatrixRowsTest, EveryRowIsRenderedAgainWhenAMinuteClosesOrTheConfigIsReloaded) {
  MatrixEndpoint endpoint(*states_);
  ExpectSameAsReference(endpoint);
  // 00:10 closes at 00:11:20 with its data; the haidong path's windows and verdict move.
  for (int i = 0; i < 6; ++i) {
    const SystemTime start = Epoch2026() + 10min + i * 10s;
    Feed(Path("xining", "haidong"), start, 5ms);
  }
  clock_.Advance(Epoch2026() + 11min + 21s - clock_.SystemNow());
  const std::uint64_t version = states_->version();
  states_->Tick(clock_.SystemNow());
  ASSERT_NE(states_->version(), version);
  ExpectSameAsReference(endpoint);
  EXPECT_NEAR(RowOf(endpoint, Path("xining", "haidong"))["rtt_p99_seconds"].get<double>(), 0.005,
              0.005 / 128);
  // A reload drops xining -> shanghai (two paths): the rows follow the new list of paths.
  config::Config smaller = config_;
  std::erase_if(smaller.probes[0].targets,
                [](const config::Target& target) { return target.name.str() == "shanghai"; });
  ASSERT_TRUE(states_->Reconfigure(smaller));
  ASSERT_EQ(states_->paths().size(), 4u);
  ExpectSameAsReference(endpoint);
}

}  // namespace
}  // namespace linkmon::api
