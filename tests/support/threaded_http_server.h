#pragma once

// The project's HTTP server (exporters/http) on 127.0.0.1, port 0, run by an io_context on a
// thread of its own, for tests that call it with a blocking client from the test's thread. The
// routes' handlers run on the server's thread: what they read must not be changed by the test
// while requests are in flight. Stopped and joined when the object goes.
//
// Header-only, so that test_support does not link the exporters; a test using it links
// linkmon::exporters (or a library that does).

#include <prometheus/registry.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/result.h"
#include "exporters/http/http_router.h"
#include "exporters/http/http_server.h"

namespace linkmon::testing {

class ThreadedHttpServer {
 public:
  static Result<std::unique_ptr<ThreadedHttpServer>> Start(
      exporters::HttpRouter router, exporters::HttpServerOptions options = {}) {
    auto served = std::unique_ptr<ThreadedHttpServer>(new ThreadedHttpServer());
    auto server = exporters::HttpServer::Start(served->io_, std::move(options), std::move(router),
                                               served->registry_);
    if (!server) return tl::unexpected(server.error());
    served->server_ = std::move(*server);
    served->endpoint_ = served->server_->local_endpoint();
    served->thread_ = std::thread([io = &served->io_] { io->run(); });
    return served;
  }

  ~ThreadedHttpServer() {
    if (server_) boost::asio::post(io_, [this] { server_->Stop(); });
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }
  ThreadedHttpServer(const ThreadedHttpServer&) = delete;
  ThreadedHttpServer& operator=(const ThreadedHttpServer&) = delete;

  const boost::asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }
  // The registry the server counts its requests and refusals in.
  prometheus::Registry& registry() { return registry_; }

  // Runs `task(server)` on the server's thread and returns what it returns: for the server's calls
  // that belong to its thread (ReplaceTlsContext, open_connections).
  template <typename Task>
  auto OnServerThread(Task task) {
    std::promise<decltype(task(*server_))> done;
    boost::asio::post(io_, [&] { done.set_value(task(*server_)); });
    return done.get_future().get();
  }

  // One request on a new connection; throws (failing the test) when the exchange fails.
  boost::beast::http::response<boost::beast::http::string_body> Request(
      boost::beast::http::verb method, const std::string& target) const {
    namespace http = boost::beast::http;
    boost::asio::io_context client_io;
    boost::asio::ip::tcp::socket socket(client_io);
    socket.connect(endpoint());
    http::request<http::empty_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    http::write(socket, request);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    return response;
  }
  boost::beast::http::response<boost::beast::http::string_body> Get(
      const std::string& target) const {
    return Request(boost::beast::http::verb::get, target);
  }

 private:
  ThreadedHttpServer() : work_(io_.get_executor()) {}

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  prometheus::Registry registry_;
  std::unique_ptr<exporters::HttpServer> server_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::thread thread_;
};

}  // namespace linkmon::testing
