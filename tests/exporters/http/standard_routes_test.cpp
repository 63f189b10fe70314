#include "exporters/http/standard_routes.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "exporters/prometheus/build_info_collector.h"
#include "exporters/prometheus/text_exposition.h"

namespace linkmon::exporters {
namespace {

namespace http = boost::beast::http;

HttpResponse Call(const HttpRouter& router, http::verb method, const std::string& path) {
  HttpMessage message{method, path, 11};
  HttpRequest request{message, boost::asio::ip::address_v4::loopback(), path, ""};
  auto match = router.Find(method, path);
  EXPECT_NE(match.handler, nullptr) << path;
  return (*match.handler)(request);
}

TEST(StandardRoutesTest, MetricsRendersTheSourcesAtScrapeTime) {
  HttpRouter router;
  auto build_info = std::make_shared<BuildInfoCollector>("collector", "9.9.9");
  AddMetricsRoute(router, {build_info});
  HttpResponse response = Call(router, http::verb::get, "/metrics");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response[http::field::content_type], kTextExpositionContentType);
  EXPECT_NE(
      response.body().view().find("linkmon_build_info{daemon=\"collector\",version=\"9.9.9\"} 1"),
      std::string::npos);
}

TEST(StandardRoutesTest, ReadyReportsWhyItIsNot) {
  HttpRouter router;
  std::string reason = "store not open";
  AddHealthRoutes(router, [&reason] { return reason; });
  EXPECT_EQ(Call(router, http::verb::get, "/-/healthy").result(), http::status::ok);
  HttpResponse not_ready = Call(router, http::verb::get, "/-/ready");
  EXPECT_EQ(not_ready.result(), http::status::service_unavailable);
  EXPECT_EQ(not_ready.body(), "not ready: store not open\n");
  reason.clear();
  EXPECT_EQ(Call(router, http::verb::head, "/-/ready").result(), http::status::ok);
}

}  // namespace
}  // namespace linkmon::exporters
