#include "tests/probe/upload/test_collector.h"

#include <gtest/gtest.h>

namespace linkmon::upload::testing {

namespace http = boost::beast::http;

void TestCollector::Start() {
  exporters::HttpRouter router;
  router.AddExact(
      http::verb::post, "/api/v1/ingest", "ingest", [this](const exporters::HttpRequest& request) {
        ++requests_;
        const auto auth = request.message.find(http::field::authorization);
        if (auth == request.message.end() || auth->value() != "Bearer " + token_) {
          return exporters::MakeJsonError(http::status::unauthorized, "bad token");
        }
        if (mode_ != Mode::kAccept) {
          auto response = exporters::MakeJsonError(mode_ == Mode::kUnavailable
                                                       ? http::status::service_unavailable
                                                       : http::status::too_many_requests,
                                                   "not now");
          if (!retry_after_.empty()) response.set(http::field::retry_after, retry_after_);
          return response;
        }
        if (forbidden_.count(request.message.body()) > 0) {
          return exporters::MakeJsonError(http::status::forbidden,
                                          "probe id does not match the token");
        }
        accepted_.push_back(request.message.body());
        return exporters::MakeResponse(http::status::ok, "application/json", "{\"status\":\"ok\"}");
      });
  exporters::HttpServerOptions options;
  options.listen = {boost::asio::ip::address_v4::loopback(), port_};
  options.tls = tls_;
  registries_.push_back(std::make_unique<prometheus::Registry>());
  auto server = exporters::HttpServer::Start(io_, options, std::move(router), *registries_.back());
  ASSERT_TRUE(server) << server.error().message;
  server_ = std::move(*server);
  port_ = server_->local_endpoint().port();
}

void TestCollector::Stop() {
  if (!server_) return;
  server_->Stop();
  // Closed sessions still report to their server while their handlers complete: keep it alive.
  retired_.push_back(std::move(server_));
}

}  // namespace linkmon::upload::testing
