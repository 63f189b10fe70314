#include "collector/api/matrix_endpoint.h"

#include "tests/collector/api/api_fixture.h"
#include "tests/collector/api/api_request.h"

namespace linkmon::api {
namespace {

using namespace std::chrono_literals;
using testing::Call;

class MatrixEndpointTest : public testing::ApiFixture {};

const nlohmann::json* Find(const nlohmann::json& paths, const std::string& src,
                           const std::string& dst, const std::string& method) {
  for (const auto& entry : paths) {
    if (entry["src"] == src && entry["dst"] == dst && entry["method"] == method) return &entry;
  }
  return nullptr;
}

TEST_F(MatrixEndpointTest, ListsEveryPathWithTypedFiguresStateAndAge) {
  MatrixEndpoint endpoint(*states_);
  auto reply = Call(endpoint, "/api/v1/matrix");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.content_type, "application/json");
  const auto body = reply.Json();
  EXPECT_EQ(body["generated_at"], "2026-01-01T00:10:30Z");
  EXPECT_EQ(body["window"], "1m");
  EXPECT_EQ(body["windows_end"], "2026-01-01T00:10:00Z");
  ASSERT_EQ(body["paths"].size(), 6u);
  for (const auto& entry : body["paths"]) {
    for (const char* field : {"src", "dst", "method", "sla_class", "sla_state"}) {
      EXPECT_TRUE(entry[field].is_string()) << field;
    }
    for (const char* field : {"rtt_p50_seconds", "rtt_p95_seconds", "rtt_p99_seconds", "loss_ratio",
                              "jitter_seconds", "throughput_bits_per_second", "data_age_seconds"}) {
      ASSERT_TRUE(entry.contains(field)) << field;
      EXPECT_TRUE(entry[field].is_number() || entry[field].is_null()) << field;
    }
    EXPECT_TRUE(entry["open_breach"].is_boolean());
  }
  const auto* beijing = Find(body["paths"], "xining", "beijing", "icmp");
  ASSERT_NE(beijing, nullptr);
  EXPECT_EQ((*beijing)["sla_state"], "ok");
  EXPECT_EQ((*beijing)["sla_class"], "nationwide");
  EXPECT_NEAR((*beijing)["rtt_p99_seconds"].get<double>(), 0.011, 0.011 / 128);
  EXPECT_EQ((*beijing)["loss_ratio"], 0.0);
  EXPECT_EQ((*beijing)["jitter_seconds"], 0.001);
  EXPECT_EQ((*beijing)["data_age_seconds"], 30.0);
  EXPECT_EQ((*beijing)["last_data_time"], "2026-01-01T00:10:00Z");
  EXPECT_TRUE((*beijing)["throughput_bits_per_second"].is_null());
  const auto* metro = Find(body["paths"], "xining", "haidong", "icmp");
  EXPECT_EQ((*metro)["sla_state"], "breach");
  EXPECT_EQ((*metro)["open_breach"], true);
  EXPECT_EQ((*Find(body["paths"], "haidong", "xining", "icmp"))["sla_state"], "stale");
  const auto* untested = Find(body["paths"], "xining", "shanghai", "throughput");
  EXPECT_EQ((*untested)["sla_state"], "unknown");
  EXPECT_TRUE((*untested)["data_age_seconds"].is_null());
  EXPECT_TRUE((*untested)["rtt_p99_seconds"].is_null());
}

TEST_F(MatrixEndpointTest, ServesTheCachedBodyWithAnETagAndAnswers304ToIt) {
  MatrixEndpoint endpoint(*states_);
  auto first = Call(endpoint, "/api/v1/matrix");
  EXPECT_EQ(first.cache_control, "max-age=1");
  ASSERT_FALSE(first.etag.empty());
  auto again = Call(endpoint, "/api/v1/matrix");
  EXPECT_EQ(again.etag, first.etag);
  EXPECT_EQ(again.body, first.body);
  auto not_modified = Call(endpoint, "/api/v1/matrix", first.etag);
  EXPECT_EQ(not_modified.status, 304u);
  EXPECT_EQ(not_modified.body, "");
  // A second later ages move: a new tag and body.
  clock_.Advance(1s);
  auto later = Call(endpoint, "/api/v1/matrix", first.etag);
  EXPECT_EQ(later.status, 200u);
  EXPECT_NE(later.etag, first.etag);
  EXPECT_EQ((*Find(later.Json()["paths"], "xining", "beijing", "icmp"))["data_age_seconds"], 31.0);
}

TEST_F(MatrixEndpointTest, AnotherWindowOnRequestAndBadParametersRefused) {
  MatrixEndpoint endpoint(*states_);
  auto hour = Call(endpoint, "/api/v1/matrix?window=1h");
  ASSERT_EQ(hour.status, 200u);
  EXPECT_EQ(hour.Json()["window"], "1h");
  // The stale path still has its early minutes in the 1 h window.
  EXPECT_FALSE(
      (*Find(hour.Json()["paths"], "haidong", "xining", "icmp"))["rtt_p50_seconds"].is_null());
  auto bad_window = Call(endpoint, "/api/v1/matrix?window=2m");
  EXPECT_EQ(bad_window.status, 400u);
  EXPECT_EQ(bad_window.Json()["error"],
            "window: '2m' is not one of the collector's windows (1m, 5m, 1h)");
  auto unknown = Call(endpoint, "/api/v1/matrix?format=csv");
  EXPECT_EQ(unknown.status, 400u);
  EXPECT_NE(unknown.Json()["error"].get<std::string>().find("unknown parameter 'format'"),
            std::string::npos);
}

TEST_F(MatrixEndpointTest, FiltersBySiteAndMethodEachAnswerCachedOnItsOwn) {
  MatrixEndpoint endpoint(*states_);
  const auto all = Call(endpoint, "/api/v1/matrix").Json();
  auto from_xining = Call(endpoint, "/api/v1/matrix?from=xining");
  ASSERT_EQ(from_xining.status, 200u) << from_xining.body;
  const auto xining = from_xining.Json();
  ASSERT_EQ(xining["paths"].size(), 5u);
  for (const auto& entry : xining["paths"]) {
    EXPECT_EQ(entry["src"], "xining");
    // The same figures as in the full matrix.
    EXPECT_EQ(entry, *Find(all["paths"], "xining", entry["dst"], entry["method"]));
  }
  const auto icmp = Call(endpoint, "/api/v1/matrix?method=icmp").Json();
  ASSERT_EQ(icmp["paths"].size(), 4u);
  for (const auto& entry : icmp["paths"]) EXPECT_EQ(entry["method"], "icmp");
  const auto both = Call(endpoint, "/api/v1/matrix?from=xining&method=throughput").Json();
  ASSERT_EQ(both["paths"].size(), 1u);
  EXPECT_EQ(both["paths"][0]["dst"], "shanghai");
  // A site measuring nothing has an empty matrix; an unknown one is a 404, a bad method a 400.
  EXPECT_EQ(Call(endpoint, "/api/v1/matrix?from=beijing").Json()["paths"].size(), 0u);
  auto lhasa = Call(endpoint, "/api/v1/matrix?from=lhasa");
  EXPECT_EQ(lhasa.status, 404u);
  EXPECT_EQ(lhasa.Json()["error"], "from: unknown site 'lhasa'");
  auto ping = Call(endpoint, "/api/v1/matrix?method=ping");
  EXPECT_EQ(ping.status, 400u);
  EXPECT_EQ(ping.Json()["error"], "method: unknown method 'ping'");
  // Each filter has its own cached body and tag; asking again gives the same ones.
  auto again = Call(endpoint, "/api/v1/matrix?from=xining");
  EXPECT_EQ(again.body, from_xining.body);
  EXPECT_EQ(again.etag, from_xining.etag);
  EXPECT_NE(again.etag, Call(endpoint, "/api/v1/matrix").etag);
  EXPECT_EQ(Call(endpoint, "/api/v1/matrix?from=xining", from_xining.etag).status, 304u);
}

}  // namespace
}  // namespace linkmon::api
