#pragma once

// IngestService behind the real HttpServer on 127.0.0.1 (port 0), its io_context on a thread of
// its own, its store writer on another (as in the daemon), with /metrics beside /api/v1/ingest:
// what the ingest tests post to. The service and a reading connection to the store stay
// reachable for checks, also after Stop() (run by the destructor too), which drains the writer,
// stops the server on its thread and joins it.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "collector/ingest/ingest_route.h"
#include "collector/ingest/ingest_service.h"
#include "collector/ingest/store_writer.h"
#include "collector/store/summary_store.h"
#include "exporters/http/http_server.h"
#include "exporters/http/standard_routes.h"
#include "tests/support/http_client.h"

namespace linkmon::ingest::testing {

struct IngestServerOptions {
  store::StoreOptions store;  // `path` required
  IngestOptions ingest;
  std::size_t max_queued_batches = 256;  // StoreWriterOptions
  std::size_t max_queued_summaries = 200'000;
  exporters::HttpServerOptions http = {};
  std::function<void(const batch::Batch&)> on_applied = nullptr;  // runs on the server's thread
};

class IngestServer {
 public:
  ~IngestServer() { Stop(); }

  // Call with ASSERT_NO_FATAL_FAILURE: a part that cannot start fails the test.
  void Start(const config::Config& config, const Clock& clock,
             const std::shared_ptr<prometheus::Registry>& registry, IngestServerOptions options) {
    auto writer =
        StoreWriter::Start(StoreWriterOptions{.store = options.store,
                                              .max_queued_batches = options.max_queued_batches,
                                              .max_queued_summaries = options.max_queued_summaries},
                           io_.get_executor());
    ASSERT_TRUE(writer.has_value()) << writer.error().message;
    writer_ = std::move(*writer);
    auto store = store::SummaryStore::Open(options.store);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_ = std::move(*store);
    auto service = IngestService::Create(config, *writer_, clock, *registry, options.ingest);
    ASSERT_TRUE(service.has_value()) << service.error().message;
    service_ = std::move(*service);
    if (options.on_applied) service_->OnApplied(std::move(options.on_applied));
    exporters::HttpRouter router;
    AddIngestRoute(router, *service_);
    exporters::AddMetricsRoute(router, {registry});
    auto server = exporters::HttpServer::Start(io_, options.http, std::move(router), *registry);
    ASSERT_TRUE(server.has_value()) << server.error().message;
    server_ = std::move(*server);
    endpoint_ = server_->local_endpoint();
    thread_ = std::thread([this] { io_.run(); });
  }

  void Stop() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] {
      writer_->Drain([this] { boost::asio::post(io_, [this] { server_->Stop(); }); });
    });
    thread_.join();
  }

  boost::asio::io_context& io() { return io_; }
  IngestService& service() { return *service_; }
  store::SummaryStore& store() { return *store_; }
  StoreWriter& writer() { return *writer_; }
  // For the server's calls that belong to its thread (open_connections).
  std::size_t OpenConnections() {
    std::promise<std::size_t> open;
    boost::asio::post(io_, [&] { open.set_value(server_->open_connections()); });
    return open.get_future().get();
  }
  const boost::asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }
  // The body of GET /metrics (empty when the server does not answer).
  std::string Metrics() const { return linkmon::testing::HttpGet(endpoint_, "/metrics").body; }

 private:
  boost::asio::io_context io_;
  std::unique_ptr<StoreWriter> writer_;
  std::unique_ptr<store::SummaryStore> store_;
  std::unique_ptr<IngestService> service_;
  std::unique_ptr<exporters::HttpServer> server_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::thread thread_;
};

}  // namespace linkmon::ingest::testing
