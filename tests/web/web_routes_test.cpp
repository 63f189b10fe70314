// The collector's page served by AddWebRoutes on the real HTTP server (127.0.0.1, port 0): the
// embedded bytes are the files of collector/web/assets/, every answer carries the security
// headers, and the page is self-contained (no URL outside its origin, no inline script or style,
// no HTML built from strings in the script).

#include "collector/web/web_routes.h"

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "collector/web/web_assets.h"
#include "tests/support/threaded_http_server.h"

namespace linkmon::web {
namespace {

namespace http = boost::beast::http;

std::string Asset(const std::string& name) {
  std::ifstream in(std::string(LINKMON_SOURCE_DIR) + "/collector/web/assets/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class WebRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    exporters::HttpRouter router;
    AddWebRoutes(router);
    auto server = linkmon::testing::ThreadedHttpServer::Start(std::move(router));
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }

  http::response<http::string_body> Request(http::verb method, const std::string& target) {
    return server_->Request(method, target);
  }

  std::unique_ptr<linkmon::testing::ThreadedHttpServer> server_;
};

void ExpectSecurityHeaders(const http::response<http::string_body>& response) {
  const std::string csp(response["Content-Security-Policy"]);
  EXPECT_EQ(csp.rfind("default-src 'self';", 0), 0u) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(response["Referrer-Policy"], "no-referrer");
}

TEST_F(WebRoutesTest, ServesThePageAndItsFilesAsEmbedded) {
  const struct {
    const char* path;
    const char* file;
    const char* type;
  } cases[] = {{"/", "index.html", "text/html; charset=utf-8"},
               {"/web/app.js", "app.js", "text/javascript; charset=utf-8"},
               {"/web/style.css", "style.css", "text/css; charset=utf-8"}};
  for (const auto& c : cases) {
    auto response = Request(http::verb::get, c.path);
    ASSERT_EQ(response.result_int(), 200u) << c.path;
    EXPECT_EQ(response[http::field::content_type], c.type) << c.path;
    EXPECT_EQ(response.body(), Asset(c.file)) << c.path << " differs from assets/" << c.file;
    EXPECT_FALSE(response.body().empty());
    ExpectSecurityHeaders(response);
  }
  EXPECT_EQ(WebAssets().size(), 3u);
}

TEST_F(WebRoutesTest, OnlyGetAndOnlyItsPaths) {
  EXPECT_EQ(Request(http::verb::get, "/web/missing.js").result_int(), 404u);
  EXPECT_EQ(Request(http::verb::get, "/index.html").result_int(), 404u);
  EXPECT_EQ(Request(http::verb::post, "/").result_int(), 405u);
}

TEST(WebPageTest, IsSelfContained) {
  const std::string html = Asset("index.html");
  const std::string js = Asset("app.js");
  const std::string css = Asset("style.css");
  ASSERT_FALSE(html.empty());
  ASSERT_FALSE(js.empty());
  ASSERT_FALSE(css.empty());
  // No CDN or other origin: every src/href is a path on this server.
  const std::regex reference(R"re((src|href)\s*=\s*"([^"]*)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), reference);
       it != std::sregex_iterator(); ++it) {
    const std::string url = (*it)[2];
    EXPECT_TRUE(url.size() > 1 && url[0] == '/' && url[1] != '/') << url;
  }
  for (const std::string& text : {html, js, css}) {
    EXPECT_EQ(text.find("http://"), std::string::npos);
    EXPECT_EQ(text.find("https://"), std::string::npos);
    EXPECT_EQ(text.find("@import"), std::string::npos);
  }
  // CSP forbids inline code anyway; keep the page working under it.
  EXPECT_EQ(std::regex_search(html, std::regex("<script>|<script [^>]*>[^<]")), false);
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_EQ(html.find(" style="), std::string::npos);
  EXPECT_EQ(html.find("onclick"), std::string::npos);
}

TEST(WebPageTest, ScriptNeverBuildsHtmlFromStrings) {
  const std::string js = Asset("app.js");
  for (const char* sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                           "eval(", "new Function", "setTimeout('", "setInterval('"}) {
    EXPECT_EQ(js.find(sink), std::string::npos) << sink;
  }
}

}  // namespace
}  // namespace linkmon::web
