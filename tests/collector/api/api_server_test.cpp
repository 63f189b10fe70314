// Every API endpoint through the real HTTP server on 127.0.0.1, port 0, with a real client.

#include "collector/api/api_routes.h"

#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>

#include "tests/collector/api/api_fixture.h"
#include "tests/support/threaded_http_server.h"

namespace linkmon::api {
namespace {

namespace http = boost::beast::http;

class ApiServerTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    exporters::HttpRouter router;
    AddApiRoutes(router, *states_);
    auto server = linkmon::testing::ThreadedHttpServer::Start(std::move(router));
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }
  void TearDown() override { server_.reset(); }

  http::response<http::string_body> Get(const std::string& target) { return server_->Get(target); }

  std::unique_ptr<linkmon::testing::ThreadedHttpServer> server_;
};

TEST_F(ApiServerTest, Matrix) {
  auto response = Get("/api/v1/matrix");
  ASSERT_EQ(response.result_int(), 200u) << response.body();
  EXPECT_EQ(response[http::field::content_type], "application/json");
  EXPECT_EQ(response[http::field::cache_control], "max-age=1");
  EXPECT_FALSE(response[http::field::etag].empty());
  auto body = nlohmann::json::parse(response.body());
  ASSERT_EQ(body["paths"].size(), 6u);
  EXPECT_TRUE(body["paths"][0]["sla_state"].is_string());
  EXPECT_EQ(Get("/api/v1/matrix?window=7m").result_int(), 400u);
}

TEST_F(ApiServerTest, Paths) {
  auto response = Get("/api/v1/paths/xining/beijing?method=icmp");
  ASSERT_EQ(response.result_int(), 200u) << response.body();
  auto body = nlohmann::json::parse(response.body());
  EXPECT_EQ(body["paths"][0]["sla_state"], "ok");
  EXPECT_EQ(body["paths"][0]["windows"].size(), 3u);
  auto unknown = Get("/api/v1/paths/lhasa/beijing");
  EXPECT_EQ(unknown.result_int(), 404u);
  EXPECT_EQ(nlohmann::json::parse(unknown.body())["error"], "src: unknown site 'lhasa'");
}

TEST_F(ApiServerTest, Rank) {
  auto response = Get("/api/v1/rank?from=xining&sla=nationwide");
  ASSERT_EQ(response.result_int(), 200u) << response.body();
  auto body = nlohmann::json::parse(response.body());
  ASSERT_EQ(body["targets"].size(), 3u);
  EXPECT_EQ(body["targets"][0]["dst"], "haidong");
  EXPECT_TRUE(body["targets"][0]["headroom_ratio"].is_number());
  EXPECT_EQ(Get("/api/v1/rank?from=xining&sla=gold").result_int(), 404u);
  EXPECT_EQ(Get("/api/v1/rank?from=xining").result_int(), 400u);
}

TEST_F(ApiServerTest, BreachesAsJsonAndCsv) {
  auto response = Get("/api/v1/breaches?src=xining");
  ASSERT_EQ(response.result_int(), 200u) << response.body();
  auto body = nlohmann::json::parse(response.body());
  EXPECT_EQ(body["breaches"].size(), 2u);
  auto csv = Get("/api/v1/breaches?src=xining&format=csv");
  ASSERT_EQ(csv.result_int(), 200u);
  EXPECT_EQ(csv[http::field::content_type], "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body().rfind("id,src,dst,method,sla_class,start,end,", 0), 0u);
  EXPECT_EQ(Get("/api/v1/breaches?from=later").result_int(), 400u);
}

}  // namespace
}  // namespace linkmon::api
