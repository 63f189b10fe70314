#include "exporters/http/response_body.h"

#include <gtest/gtest.h>

#include <sstream>

#include <boost/beast/http/write.hpp>

#include "exporters/http/http_types.h"

namespace linkmon::exporters {
namespace {

namespace http = boost::beast::http;

std::string Wire(const HttpResponse& response) {
  std::ostringstream out;
  out << response;
  return out.str();
}

TEST(ResponseBodyTest, OwnedAndSharedTextGoOnTheWireAlike) {
  HttpResponse owned = MakeResponse(http::status::ok, "application/json", R"({"a":1})");
  HttpResponse shared = MakeResponse(http::status::ok, "application/json", "");
  const auto text = std::make_shared<const std::string>(R"({"a":1})");
  shared.body().Share(text);
  shared.prepare_payload();
  EXPECT_EQ(Wire(shared), Wire(owned));
  EXPECT_NE(Wire(shared).find("Content-Length: 7\r\n"), std::string::npos);
  EXPECT_NE(Wire(shared).find("\r\n\r\n{\"a\":1}"), std::string::npos);
}

TEST(ResponseBodyTest, ASharedTextIsNotCopiedAndOutlivesItsCachesPointer) {
  auto text = std::make_shared<const std::string>(1 << 20, 'x');
  const char* data = text->data();
  HttpResponse response = MakeResponse(http::status::ok, "text/plain", "");
  response.body().Share(text);
  response.prepare_payload();
  text.reset();  // the cache renders a new answer meanwhile
  EXPECT_EQ(response.body().view().data(), data);
  EXPECT_EQ(response.body().size(), std::size_t{1} << 20);
  EXPECT_EQ(Wire(response).size(), Wire(response).find("\r\n\r\n") + 4 + (1 << 20));
}

TEST(ResponseBodyTest, AssigningOrClearingDropsTheSharedText) {
  HttpResponse response = MakeResponse(http::status::ok, "text/plain", "");
  response.body().Share(std::make_shared<const std::string>("shared"));
  response.body() = std::string("owned");
  EXPECT_EQ(response.body(), "owned");
  response.body().Share(std::make_shared<const std::string>("shared"));
  response.body().clear();  // a HEAD request's answer
  EXPECT_TRUE(response.body().empty());
}

}  // namespace
}  // namespace linkmon::exporters
