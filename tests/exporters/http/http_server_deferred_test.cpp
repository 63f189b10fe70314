// Deferred answers (HttpRouter::AddExactDeferred): a handler that answers later, from another
// thread, while the server keeps serving other connections; the connection's keep-alive goes on
// after the answer; a client gone, or a server stopped, before the answer leaves nothing behind.
// Real sockets on 127.0.0.1; the test decides when each answer comes, so nothing depends on
// timing.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "exporters/http/http_server.h"
#include "tests/exporters/http/server_fixture.h"

namespace linkmon::exporters {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

class HttpServerDeferredTest : public testing::HttpServerFixture {
 protected:
  void SetUp() override {
    HttpRouter router;
    // Parks every responder for the test to call.
    router.AddExactDeferred(http::verb::post, "/slow", "slow",
                            [this](const HttpRequest&, HttpResponder respond) {
                              std::lock_guard lock(mutex_);
                              parked_.push_back(std::move(respond));
                              parked_changed_.notify_all();
                            });
    router.AddExact(http::verb::get, "/hello", "hello", [](const HttpRequest&) {
      return MakeResponse(http::status::ok, "text/plain", "hello\n");
    });
    ASSERT_NO_FATAL_FAILURE(StartWith({}, std::move(router)));
  }

  void TearDown() override {
    // The responders hold their sessions, whose sockets belong to the server's io_context: let
    // them go while it still exists.
    {
      std::lock_guard lock(mutex_);
      parked_.clear();
    }
    testing::HttpServerFixture::TearDown();
  }

  // The responder of the n-th deferred request (0-based), once the handler has it (5 s at most).
  HttpResponder Parked(std::size_t n) {
    std::unique_lock lock(mutex_);
    parked_changed_.wait_for(lock, std::chrono::seconds(5), [&] { return parked_.size() > n; });
    return parked_.size() > n ? parked_[n] : HttpResponder();
  }

  std::size_t OpenConnections() {
    return served_->OnServerThread([](HttpServer& server) { return server.open_connections(); });
  }

  // Waits (5 s at most) until the server holds `expected` connections.
  std::size_t AwaitOpenConnections(std::size_t expected) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::size_t open = OpenConnections();
    while (open != expected && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      open = OpenConnections();
    }
    return open;
  }

  static void Send(tcp::socket& socket, http::verb method, const std::string& target) {
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.body() = method == http::verb::post ? "batch" : "";
    request.prepare_payload();
    http::write(socket, request);
  }

  static http::response<http::string_body> Receive(tcp::socket& socket,
                                                   boost::beast::flat_buffer& buffer) {
    http::response<http::string_body> response;
    boost::system::error_code ec;
    http::read(socket, buffer, response, ec);
    if (ec) response.result(0);
    return response;
  }

  std::mutex mutex_;
  std::condition_variable parked_changed_;
  std::vector<HttpResponder> parked_;
};

TEST_F(HttpServerDeferredTest, AnswersLaterFromAnotherThreadWhileServingOthers) {
  tcp::socket client(client_io_);
  client.connect(endpoint_);
  Send(client, http::verb::post, "/slow");
  const HttpResponder respond = Parked(0);
  ASSERT_TRUE(respond);

  // The answer is pending: the server serves another connection meanwhile.
  EXPECT_EQ(served_->Get("/hello").result_int(), 200u);

  std::thread answerer(
      [&] { respond(MakeResponse(http::status::accepted, "text/plain", "committed\n")); });
  answerer.join();
  boost::beast::flat_buffer buffer;
  const auto answer = Receive(client, buffer);
  EXPECT_EQ(answer.result_int(), 202u);
  EXPECT_EQ(answer.body(), "committed\n");
  EXPECT_TRUE(answer.keep_alive());

  // The same connection goes on with the next request.
  Send(client, http::verb::get, "/hello");
  EXPECT_EQ(Receive(client, buffer).body(), "hello\n");
  EXPECT_EQ(testing::CounterValue(registry(), "linkmon_http_requests_total", "slow"), 1);
}

TEST_F(HttpServerDeferredTest, AClientGoneBeforeTheAnswerLeavesNothingBehind) {
  {
    tcp::socket client(client_io_);
    client.connect(endpoint_);
    Send(client, http::verb::post, "/slow");
    ASSERT_TRUE(Parked(0));
  }  // the client closes its connection while the answer is pending
  Parked(0)(MakeResponse(http::status::ok, "text/plain", "too late\n"));
  EXPECT_EQ(AwaitOpenConnections(0), 0u);
  EXPECT_EQ(served_->Get("/hello").result_int(), 200u);
}

TEST_F(HttpServerDeferredTest, AServerStoppedBeforeTheAnswerDropsIt) {
  tcp::socket client(client_io_);
  client.connect(endpoint_);
  Send(client, http::verb::post, "/slow");
  const HttpResponder respond = Parked(0);
  ASSERT_TRUE(respond);
  served_->OnServerThread([](HttpServer& server) {
    server.Stop();
    return 0;
  });
  EXPECT_EQ(OpenConnections(), 0u);
  boost::beast::flat_buffer buffer;
  EXPECT_EQ(Receive(client, buffer).result_int(), 0u);  // closed without an answer
  // The late answer finds the session closed and is dropped.
  respond(MakeResponse(http::status::ok, "text/plain", "too late\n"));
  EXPECT_EQ(OpenConnections(), 0u);
}

}  // namespace
}  // namespace linkmon::exporters
