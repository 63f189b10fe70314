#include "probe/upload/http_upload_client.h"

#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <boost/asio/ip/tcp.hpp>

#include "exporters/http/http_server.h"

namespace linkmon::upload {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;

std::vector<std::uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

class HttpUploadClientTest : public ::testing::Test {
 protected:
  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    io_.run_for(50ms);
  }

  void StartServer(exporters::HttpServerOptions options = {}) {
    exporters::HttpRouter router;
    router.AddExact(http::verb::post, "/api/v1/ingest", "ingest",
                    [this](const exporters::HttpRequest& request) {
                      bodies_.push_back(request.message.body());
                      auto auth = request.message.find(http::field::authorization);
                      authorization_ =
                          auth == request.message.end() ? "" : std::string(auth->value());
                      return exporters::MakeResponse(http::status::accepted, "text/plain",
                                                     std::string(response_size_, 'r'));
                    });
    auto server = exporters::HttpServer::Start(io_, options, std::move(router), registry_);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }

  void MakeClient(HttpUploadClientOptions options) {
    auto client = HttpUploadClient::Create(io_, std::move(options));
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(*client);
  }

  // Posts and runs the io_context until the answer is in (at most `timeout`).
  std::optional<Result<UploadResponse>> Post(const std::string& body,
                                             std::chrono::milliseconds timeout = 10s) {
    std::optional<Result<UploadResponse>> answer;
    client_->Post(Bytes(body), [&](Result<UploadResponse> result) { answer = std::move(result); });
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!answer && std::chrono::steady_clock::now() < deadline) io_.run_for(5ms);
    return answer;
  }

  asio::io_context io_;
  prometheus::Registry registry_;
  std::unique_ptr<exporters::HttpServer> server_;
  std::unique_ptr<HttpUploadClient> client_;
  std::vector<std::string> bodies_;
  std::string authorization_;
  std::size_t response_size_ = 2;
};

TEST_F(HttpUploadClientTest, PostsWithBearerTokenAndKeepsTheConnection) {
  StartServer();
  MakeClient(
      {.host = "127.0.0.1", .port = server_->local_endpoint().port(), .bearer_token = "secret"});
  for (int i = 0; i < 3; ++i) {
    auto answer = Post("batch-" + std::to_string(i));
    ASSERT_TRUE(answer);
    ASSERT_TRUE(*answer) << (*answer).error().message;
    EXPECT_EQ((*answer)->status, 202u);
  }
  EXPECT_EQ(bodies_, (std::vector<std::string>{"batch-0", "batch-1", "batch-2"}));
  EXPECT_EQ(authorization_, "Bearer secret");
  EXPECT_EQ(client_->connections_opened(), 1u);
}

TEST_F(HttpUploadClientTest, ConnectionClosedWhileIdleIsReplacedAtOnce) {
  exporters::HttpServerOptions options;
  options.idle_timeout = 100ms;
  StartServer(options);
  MakeClient({.host = "127.0.0.1", .port = server_->local_endpoint().port()});
  auto first = Post("one");
  ASSERT_TRUE(first && *first);
  io_.run_for(400ms);  // the server closes the idle keep-alive connection
  auto second = Post("two");
  ASSERT_TRUE(second);
  ASSERT_TRUE(*second) << (*second).error().message;
  EXPECT_EQ(bodies_, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(client_->connections_opened(), 2u);
}

TEST_F(HttpUploadClientTest, RefusedConnectionIsAnError) {
  tcp::acceptor closed(io_, {asio::ip::address_v4::loopback(), 0});
  const auto port = closed.local_endpoint().port();
  closed.close();
  MakeClient({.host = "127.0.0.1", .port = port});
  auto answer = Post("x");
  ASSERT_TRUE(answer);
  ASSERT_FALSE(*answer);
  EXPECT_EQ((*answer).error().code, ErrorCode::kUnavailable);
  EXPECT_NE((*answer).error().message.find("connect"), std::string::npos)
      << (*answer).error().message;
}

TEST_F(HttpUploadClientTest, SilentCollectorHitsTheReadDeadline) {
  // Accepts the connection and never answers.
  tcp::acceptor silent(io_, {asio::ip::address_v4::loopback(), 0});
  tcp::socket accepted(io_);
  silent.async_accept(accepted, [](const boost::system::error_code&) {});
  MakeClient({.host = "127.0.0.1", .port = silent.local_endpoint().port(), .read_timeout = 200ms});
  auto answer = Post("x", 5s);
  ASSERT_TRUE(answer) << "no answer within 5 s: the read deadline did not fire";
  ASSERT_FALSE(*answer);
  EXPECT_NE((*answer).error().message.find("read"), std::string::npos) << (*answer).error().message;
}

TEST_F(HttpUploadClientTest, OversizedResponseIsRefused) {
  response_size_ = 100'000;
  StartServer();
  MakeClient(
      {.host = "127.0.0.1", .port = server_->local_endpoint().port(), .max_response_bytes = 1024});
  auto answer = Post("x");
  ASSERT_TRUE(answer);
  ASSERT_FALSE(*answer) << "status " << (*answer)->status << " body " << (*answer)->body.size();
  EXPECT_NE((*answer).error().message.find("read"), std::string::npos);
}

TEST_F(HttpUploadClientTest, BadOptionsAreRefused) {
  EXPECT_EQ(HttpUploadClient::Create(io_, {.host = ""}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(HttpUploadClient::Create(io_, {.host = "h", .target = "ingest"}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(HttpUploadClient::Create(io_, {.host = "h", .tls = true}).error().code,
            ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace linkmon::upload
