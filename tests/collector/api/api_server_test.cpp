// Every API endpoint through the real HTTP server on 127.0.0.1, port 0, with a real client.

#include "collector/api/api_routes.h"

#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>
#include <prometheus/registry.h>

#include "exporters/http/http_server.h"
#include "tests/collector/api/api_fixture.h"

namespace linkmon::api {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

class ApiServerTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    exporters::HttpRouter router;
    AddApiRoutes(router, *states_);
    auto server = exporters::HttpServer::Start(io_, exporters::HttpServerOptions{},
                                               std::move(router), registry_);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    endpoint_ = server_->local_endpoint();
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_) asio::post(io_, [this] { server_->Stop(); });
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }

  http::response<http::string_body> Get(const std::string& target) {
    asio::io_context client_io;
    tcp::socket socket(client_io);
    socket.connect(endpoint_);
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    http::write(socket, request);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    return response;
  }

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
  prometheus::Registry registry_;
  std::unique_ptr<exporters::HttpServer> server_;
  tcp::endpoint endpoint_;
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
