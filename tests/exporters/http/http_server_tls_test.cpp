// HttpServer with TLS on a real socket (127.0.0.1, port 0), with certificates made at test time:
// the port speaks TLS only, verifies client certificates under mutual TLS, closes a stalled
// handshake, survives plain HTTP and random bytes, and serves a rotated certificate to new
// connections.

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "exporters/http/http_server.h"
#include "exporters/http/tls_context.h"
#include "tests/exporters/http/server_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace linkmon::exporters {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using linkmon::testing::CertificateFiles;
using linkmon::testing::HttpAnswer;
using linkmon::testing::HttpsExchange;
using linkmon::testing::TestCertificateAuthority;
using linkmon::testing::TlsClientSettings;
using namespace std::chrono_literals;

class HttpServerTlsTest : public testing::HttpServerFixture {
 protected:
  void SetUp() override {
    ca_.emplace(dir_, "main");
    other_ca_.emplace(dir_, "other");
    server_cert_ = ca_->Issue(
        "server",
        {.common_name = "collector", .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"}});
    xining_ = ca_->Issue("xining", {.common_name = "xining", .dns_names = {"xining"}});
    foreign_ = other_ca_->Issue("foreign", {.common_name = "xining", .dns_names = {"xining"}});
    expired_ = ca_->Issue(
        "expired",
        {.common_name = "xining", .dns_names = {"xining"}, .not_before = -48h, .not_after = -24h});
  }

  TlsContext ServerContext(const CertificateFiles& files, const std::string& client_ca = "") {
    auto context = MakeTlsServerContext({.certificate_chain_file = files.certificate_file,
                                         .private_key_file = files.key_file,
                                         .client_ca_file = client_ca});
    EXPECT_TRUE(context) << context.error().message;
    return context ? *context : nullptr;
  }

  // GET /whoami answers the client certificate's names, comma-separated.
  void StartServer(HttpServerOptions options) {
    HttpRouter router;
    router.AddExact(http::verb::get, "/whoami", "whoami", [](const HttpRequest& request) {
      std::string names;
      for (const std::string& name : request.client_certificate_names) {
        names += (names.empty() ? "" : ",") + name;
      }
      return MakeResponse(http::status::ok, "text/plain", names);
    });
    StartWith(std::move(options), std::move(router));
  }

  HttpAnswer Get(TlsClientSettings settings) {
    if (settings.ca_file.empty()) settings.ca_file = ca_->certificate_file();
    return HttpsExchange(endpoint_, settings, {.target = "/whoami"});
  }

  // True once the server closed the connection (EOF or reset).
  static bool ServerClosed(tcp::socket& socket) {
    char buffer[4096];
    boost::system::error_code ec;
    while (!ec) socket.read_some(asio::buffer(buffer), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  std::size_t OpenConnections() {
    return served_->OnServerThread([](HttpServer& server) { return server.open_connections(); });
  }

  linkmon::testing::TempDir temp_dir_{"linkmon-http-tls-test"};
  const std::filesystem::path& dir_ = temp_dir_.path();
  std::optional<TestCertificateAuthority> ca_, other_ca_;
  CertificateFiles server_cert_, xining_, foreign_, expired_;
};

TEST_F(HttpServerTlsTest, ServesHttpsVerifiedByItsCaForTheAddressAndTheName) {
  StartServer({.tls = ServerContext(server_cert_)});
  HttpAnswer by_address = Get({});
  EXPECT_EQ(by_address.status, 200u) << by_address.body;
  EXPECT_EQ(by_address.body, "");  // no client certificate asked for
  HttpAnswer by_name = Get({.host = "localhost"});
  EXPECT_EQ(by_name.status, 200u) << by_name.body;
  // A client trusting another CA refuses the server.
  HttpAnswer untrusted = Get({.ca_file = other_ca_->certificate_file()});
  EXPECT_EQ(untrusted.status, 0u);
  EXPECT_NE(untrusted.body.find("handshake"), std::string::npos) << untrusted.body;
}

TEST_F(HttpServerTlsTest, RefusesProtocolsOlderThanTls12) {
  StartServer({.tls = ServerContext(server_cert_)});
  asio::ssl::context context(asio::ssl::context::tls_client);
  // Let this client offer TLS 1.1 at all: OpenSSL 3's default security level forbids it.
  SSL_CTX_set_security_level(context.native_handle(), 0);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(context.native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_cipher_list(context.native_handle(), "DEFAULT@SECLEVEL=0");
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream(client_io_, context);
  boost::beast::get_lowest_layer(stream).connect(endpoint_);
  boost::system::error_code ec;
  stream.handshake(asio::ssl::stream_base::client, ec);
  EXPECT_TRUE(ec);
  EXPECT_EQ(
      testing::AwaitCounter(registry(), "linkmon_http_refused_total", "tls_handshake_failed", 1),
      1);
}

TEST_F(HttpServerTlsTest, PlainHttpToTheTlsPortFailsCleanly) {
  StartServer({.tls = ServerContext(server_cert_)});
  const HttpAnswer plain = linkmon::testing::HttpExchange(endpoint_, http::verb::get, "/whoami");
  EXPECT_EQ(plain.status, 0u) << plain.body;
  EXPECT_EQ(
      testing::AwaitCounter(registry(), "linkmon_http_refused_total", "tls_handshake_failed", 1),
      1);
  // The server goes on serving TLS clients.
  EXPECT_EQ(Get({}).status, 200u);
}

TEST_F(HttpServerTlsTest, ClosesAStalledHandshakeAfterItsTimeout) {
  StartServer({.tls = ServerContext(server_cert_), .handshake_timeout = 200ms});
  tcp::socket silent(client_io_);
  silent.connect(endpoint_);
  EXPECT_TRUE(ServerClosed(silent));  // blocks until the server gives up
  // A ClientHello record header announcing bytes that never come.
  tcp::socket partial(client_io_);
  partial.connect(endpoint_);
  asio::write(partial, asio::buffer(std::string("\x16\x03\x01\x02\x00\x01", 6)));
  EXPECT_TRUE(ServerClosed(partial));
  EXPECT_EQ(
      testing::AwaitCounter(registry(), "linkmon_http_refused_total", "tls_handshake_timeout", 2),
      2);
}

// Hostile input, fuzz-free: connections sending random bytes, most of them inside a well-formed
// TLS record and ClientHello header so that OpenSSL parses into them. The server must close each
// and go on serving; a crash fails the test (and the sanitizer build sees memory errors).
TEST_F(HttpServerTlsTest, RandomBytesOnTheTlsPortNeverHurtTheServer) {
  StartServer({.tls = ServerContext(server_cert_), .handshake_timeout = 2s});
  std::mt19937 random(20261204);
  constexpr int kConnections = 200;
  for (int i = 0; i < kConnections; ++i) {
    std::string bytes(random() % 1500, '\0');
    for (char& byte : bytes) byte = static_cast<char>(random());
    if (i % 4 != 3) {
      // A handshake record of its true length holding a ClientHello of its true length, TLS 1.2
      // version, and random fields after: OpenSSL parses deep into these.
      bytes.resize(std::max<std::size_t>(bytes.size(), 2));
      bytes[0] = 0x03;
      bytes[1] = 0x03;
      const std::size_t hello = bytes.size();
      std::string header = {0x01, static_cast<char>(hello >> 16), static_cast<char>(hello >> 8),
                            static_cast<char>(hello)};
      bytes = header + bytes;
      const std::size_t record = i % 4 == 2 ? random() % 0x4800 : bytes.size();  // lies sometimes
      bytes =
          std::string{0x16, 0x03, 0x01, static_cast<char>(record >> 8), static_cast<char>(record)} +
          bytes;
    }
    tcp::socket socket(client_io_);
    socket.connect(endpoint_);
    boost::system::error_code ec;
    asio::write(socket, asio::buffer(bytes), ec);
    // Some inputs are incomplete records: the server waits for more until the handshake timeout.
    // Closing our side ends those at once.
    socket.shutdown(tcp::socket::shutdown_send, ec);
    EXPECT_TRUE(ServerClosed(socket)) << "connection " << i;
  }
  EXPECT_EQ(Get({}).status, 200u);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (OpenConnections() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(OpenConnections(), 0u);
  EXPECT_EQ(testing::AwaitCounter(registry(), "linkmon_http_refused_total", "tls_handshake_failed",
                                  kConnections),
            kConnections);
}

TEST_F(HttpServerTlsTest, MutualTlsAcceptsOnlyClientCertificatesOfItsCa) {
  StartServer({.tls = ServerContext(server_cert_, ca_->certificate_file())});
  const HttpAnswer good =
      Get({.certificate_file = xining_.certificate_file, .key_file = xining_.key_file});
  EXPECT_EQ(good.status, 200u) << good.body;
  EXPECT_EQ(good.body, "xining");  // the handler sees who the client is

  EXPECT_EQ(Get({}).status, 0u);  // no client certificate
  EXPECT_EQ(
      Get({.certificate_file = foreign_.certificate_file, .key_file = foreign_.key_file}).status,
      0u);  // the same names, signed by another CA
  EXPECT_EQ(
      Get({.certificate_file = expired_.certificate_file, .key_file = expired_.key_file}).status,
      0u);
  EXPECT_EQ(
      testing::AwaitCounter(registry(), "linkmon_http_refused_total", "tls_handshake_failed", 3),
      3);
}

TEST_F(HttpServerTlsTest, NewConnectionsGetAReplacedCertificate) {
  StartServer({.tls = ServerContext(server_cert_)});
  ASSERT_EQ(Get({}).status, 200u);
  const CertificateFiles rotated =
      other_ca_->Issue("rotated", {.common_name = "collector", .ip_addresses = {"127.0.0.1"}});
  ASSERT_TRUE(served_->OnServerThread(
      [&](HttpServer& server) { return server.ReplaceTlsContext(ServerContext(rotated)); }));
  EXPECT_EQ(Get({}).status, 0u);  // the old CA no longer verifies the server
  EXPECT_EQ(Get({.ca_file = other_ca_->certificate_file()}).status, 200u);
}

TEST_F(HttpServerTlsTest, APlainServerCannotTurnIntoHttps) {
  StartServer({});
  const Status status = served_->OnServerThread(
      [&](HttpServer& server) { return server.ReplaceTlsContext(ServerContext(server_cert_)); });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace linkmon::exporters
