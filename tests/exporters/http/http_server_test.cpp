#include "exporters/http/http_server.h"
#include "tests/exporters/http/server_fixture.h"

#include <thread>

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace linkmon::exporters {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;

// A server on a real socket (port 0) with its io_context on a background thread; the test talks
// to it over plain blocking sockets, as any client would.
class HttpServerTest : public testing::HttpServerFixture {
 protected:
  void StartServer(HttpServerOptions options) {
    HttpRouter router;
    router.AddExact(http::verb::get, "/hello", "hello", [](const HttpRequest& request) {
      return MakeResponse(http::status::ok, "text/plain",
                          "hello " + std::string(request.query) + "\n");
    });
    router.AddExact(http::verb::post, "/echo", "echo", [](const HttpRequest& request) {
      return MakeResponse(http::status::ok, "application/octet-stream", request.message.body());
    });
    router.AddPrefix(http::verb::get, "/api/v1/paths/", "paths", [](const HttpRequest& request) {
      return MakeResponse(http::status::ok, "text/plain", std::string(request.path));
    });
    StartWith(std::move(options), std::move(router));
  }

  tcp::socket Connect() {
    tcp::socket socket(client_io_);
    socket.connect(endpoint_);
    return socket;
  }

  // Sends raw bytes and reads until the server closes or `until` appears in the reply.
  static std::string Exchange(tcp::socket& socket, const std::string& request,
                              const std::string& until = "") {
    asio::write(socket, asio::buffer(request));
    std::string reply;
    char buffer[4096];
    boost::system::error_code ec;
    while (!ec) {
      std::size_t n = socket.read_some(asio::buffer(buffer), ec);
      reply.append(buffer, n);
      if (!until.empty() && reply.find(until) != std::string::npos) break;
    }
    return reply;
  }

  // True once the server has closed the connection (read returns EOF or reset).
  static bool ServerClosed(tcp::socket& socket) {
    char byte;
    boost::system::error_code ec;
    socket.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  double Metric(const std::string& name, const std::string& label_value) {
    return testing::CounterValue(registry(), name, label_value);
  }
  double AwaitMetric(const std::string& name, const std::string& label_value, double expected) {
    return testing::AwaitCounter(registry(), name, label_value, expected);
  }
};

TEST_F(HttpServerTest, AnswersSeveralRequestsOnOneKeptAliveConnection) {
  StartServer({});
  tcp::socket socket = Connect();
  for (int i = 0; i < 3; ++i) {
    std::string reply =
        Exchange(socket, "GET /hello?n=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                 "hello n=" + std::to_string(i) + "\n");
    EXPECT_NE(reply.find("HTTP/1.1 200 OK"), std::string::npos) << reply;
    EXPECT_NE(reply.find("Content-Length: 10"), std::string::npos) << reply;
  }
  EXPECT_EQ(Metric("linkmon_http_requests_total", "hello"), 3);
}

TEST_F(HttpServerTest, RoutesPrefixesAndRefusesUnknownPathsAndMethods) {
  StartServer({});
  tcp::socket a = Connect();
  EXPECT_NE(Exchange(a, "GET /api/v1/paths/xining/beijing HTTP/1.0\r\n\r\n")
                .find("/api/v1/paths/xining/beijing"),
            std::string::npos);
  tcp::socket b = Connect();
  std::string not_found = Exchange(b, "GET /nope HTTP/1.0\r\n\r\n");
  EXPECT_NE(not_found.find("404 Not Found"), std::string::npos) << not_found;
  EXPECT_NE(not_found.find("{\"error\":\"no such path\"}"), std::string::npos) << not_found;
  tcp::socket c = Connect();
  std::string wrong_method = Exchange(c, "DELETE /hello HTTP/1.0\r\n\r\n");
  EXPECT_NE(wrong_method.find("405 Method Not Allowed"), std::string::npos) << wrong_method;
}

TEST_F(HttpServerTest, RefusesAnAnnouncedOversizedBodyBeforeReadingIt) {
  StartServer({.max_body_bytes = 100});
  tcp::socket socket = Connect();
  // Only the header is sent: the answer must not wait for the 1 MB that is announced.
  std::string reply =
      Exchange(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
  EXPECT_NE(reply.find("413 Payload Too Large"), std::string::npos) << reply;
  EXPECT_NE(reply.find("request body larger than 100 bytes"), std::string::npos) << reply;
  EXPECT_EQ(Metric("linkmon_http_refused_total", "body_too_large"), 1);
}

TEST_F(HttpServerTest, RefusesAnOversizedChunkedBody) {
  StartServer({.max_body_bytes = 100});
  tcp::socket socket = Connect();
  std::string chunk(200, 'x');
  std::string reply =
      Exchange(socket,
               "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               "c8\r\n" +
                   chunk + "\r\n0\r\n\r\n");
  EXPECT_NE(reply.find("413 Payload Too Large"), std::string::npos) << reply;
}

TEST_F(HttpServerTest, EchoesABodyWithinTheLimitAndHonoursExpectContinue) {
  StartServer({.max_body_bytes = 100});
  tcp::socket socket = Connect();
  std::string interim = Exchange(socket,
                                 "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                 "Expect: 100-continue\r\n\r\n",
                                 "\r\n\r\n");
  EXPECT_NE(interim.find("HTTP/1.1 100 Continue"), std::string::npos) << interim;
  std::string reply = Exchange(socket, "abcde", "abcde");
  EXPECT_NE(reply.find("200 OK"), std::string::npos) << reply;
}

TEST_F(HttpServerTest, RefusesAnOversizedHeader) {
  StartServer({.max_header_bytes = 1024});
  tcp::socket socket = Connect();
  std::string reply =
      Exchange(socket, "GET /hello HTTP/1.1\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
  EXPECT_NE(reply.find("431 Request Header Fields Too Large"), std::string::npos) << reply;
}

TEST_F(HttpServerTest, RefusesGarbage) {
  StartServer({});
  tcp::socket socket = Connect();
  std::string reply = Exchange(socket, "\x16\x03\x01 not http at all\r\n\r\n");
  EXPECT_NE(reply.find("400 Bad Request"), std::string::npos) << reply;
  EXPECT_EQ(Metric("linkmon_http_refused_total", "bad_request"), 1);
}

TEST_F(HttpServerTest, ClosesAClientThatStallsInTheMiddleOfAHeader) {
  StartServer({.header_timeout = 200ms});
  tcp::socket socket = Connect();
  asio::write(socket, asio::buffer(std::string("GET /hello HTTP/1.1\r\nHost: ")));
  EXPECT_TRUE(ServerClosed(socket));  // blocks until the server gives up on the header
  EXPECT_EQ(AwaitMetric("linkmon_http_refused_total", "read_timeout", 1), 1);
}

TEST_F(HttpServerTest, LimitsConnectionsPerClient) {
  StartServer({.max_connections_per_client = 2});
  tcp::socket first = Connect();
  tcp::socket second = Connect();
  // Make sure both are registered before the third arrives.
  Exchange(first, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", "hello");
  Exchange(second, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", "hello");
  tcp::socket third = Connect();
  EXPECT_TRUE(ServerClosed(third));
  EXPECT_EQ(Metric("linkmon_http_refused_total", "client_connection_limit"), 1);
  // The first two still work.
  EXPECT_NE(Exchange(first, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", "hello").find("200 OK"),
            std::string::npos);
}

TEST_F(HttpServerTest, ServesIpv6Loopback) {
  StartServer({.listen = tcp::endpoint(asio::ip::address_v6::loopback(), 0)});
  ASSERT_TRUE(endpoint_.address().is_v6());
  tcp::socket socket = Connect();
  EXPECT_NE(Exchange(socket, "GET /hello HTTP/1.0\r\n\r\n").find("200 OK"), std::string::npos);
}

TEST_F(HttpServerTest, ReportsAPortInUse) {
  StartServer({});
  auto second = linkmon::testing::ThreadedHttpServer::Start(HttpRouter{}, {.listen = endpoint_});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kIo);
  EXPECT_NE(second.error().message.find("cannot listen on 127.0.0.1:"), std::string::npos);
}

}  // namespace
}  // namespace linkmon::exporters
