#include "probe/upload/http_upload_client.h"

#include <filesystem>
#include <functional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <boost/asio/ip/tcp.hpp>

#include "exporters/http/http_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace linkmon::upload {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

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
  const auto unreadable_ca = HttpUploadClient::Create(
      io_, {.host = "h", .tls = exporters::TlsClientFiles{.ca_file = "/nonexistent/ca.pem"}});
  ASSERT_FALSE(unreadable_ca);
  EXPECT_EQ(unreadable_ca.error().code, ErrorCode::kIo);
  EXPECT_EQ(unreadable_ca.error().message,
            "tls: ca_file /nonexistent/ca.pem: cannot read: No such file or directory");
}

// HTTPS, with certificates made at test time: a CA, the collector's certificate for 127.0.0.1 and
// localhost, client certificates, an expired certificate, a certificate of another CA.
class HttpUploadClientTlsTest : public HttpUploadClientTest {
 protected:
  void SetUp() override {
    ca_.emplace(dir_, "main");
    other_ca_.emplace(dir_, "other");
    server_cert_ = ca_->Issue(
        "collector",
        {.common_name = "collector", .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"}});
    xining_ = ca_->Issue("xining", {.common_name = "xining", .dns_names = {"xining"}});
  }
  void StartTlsServer(const linkmon::testing::CertificateFiles& cert,
                      const std::string& client_ca = "") {
    auto tls = exporters::MakeTlsServerContext({.certificate_chain_file = cert.certificate_file,
                                                .private_key_file = cert.key_file,
                                                .client_ca_file = client_ca});
    ASSERT_TRUE(tls) << tls.error().message;
    StartServer({.tls = *tls});
  }

  void MakeTlsClient(const std::string& host, exporters::TlsClientFiles tls) {
    MakeClient({.host = host,
                .port = server_->local_endpoint().port(),
                .bearer_token = "secret",
                .tls = std::move(tls)});
  }

  // The one attempt's TLS failure message; empty (and a test failure) when it did not fail so.
  std::string TlsFailure() {
    auto answer = Post("batch");
    if (!answer) return "no answer";
    if (*answer) return "answered " + std::to_string((*answer)->status);
    EXPECT_EQ((*answer).error().code, ErrorCode::kPermission) << (*answer).error().message;
    return (*answer).error().message;
  }

  linkmon::testing::TempDir temp_dir_{"linkmon-upload-tls-test"};
  const std::filesystem::path& dir_ = temp_dir_.path();
  std::optional<linkmon::testing::TestCertificateAuthority> ca_, other_ca_;
  linkmon::testing::CertificateFiles server_cert_, xining_;
};

TEST_F(HttpUploadClientTlsTest, UploadsOverTlsOnOneKeptAliveConnection) {
  StartTlsServer(server_cert_);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    MakeTlsClient(host, {.ca_file = ca_->certificate_file()});
    for (int i = 0; i < 3; ++i) {
      auto answer = Post("batch-" + std::to_string(i));
      ASSERT_TRUE(answer);
      ASSERT_TRUE(*answer) << (*answer).error().message;
      EXPECT_EQ((*answer)->status, 202u);
    }
    EXPECT_EQ(client_->connections_opened(), 1u) << host;
  }
  EXPECT_EQ(authorization_, "Bearer secret");
}

TEST_F(HttpUploadClientTlsTest, RefusesACollectorItCannotVerify) {
  StartTlsServer(server_cert_);
  MakeTlsClient("127.0.0.1", {.ca_file = other_ca_->certificate_file()});
  EXPECT_THAT(TlsFailure(), HasSubstr("certificate verify failed: unable to get local issuer"));
  // The system store does not hold the test CA either.
  MakeTlsClient("127.0.0.1", {});
  EXPECT_THAT(TlsFailure(), HasSubstr("certificate verify failed"));
  EXPECT_TRUE(bodies_.empty());
}

TEST_F(HttpUploadClientTlsTest, RefusesACertificateForAnotherHost) {
  const auto elsewhere = ca_->Issue("elsewhere", {.common_name = "127.0.0.1",  // CN is ignored
                                                  .dns_names = {"collector.example"}});
  StartTlsServer(elsewhere);
  MakeTlsClient("127.0.0.1", {.ca_file = ca_->certificate_file()});
  EXPECT_THAT(TlsFailure(), HasSubstr("certificate verify failed: IP address mismatch"));
  MakeTlsClient("localhost", {.ca_file = ca_->certificate_file()});
  EXPECT_THAT(TlsFailure(), HasSubstr("certificate verify failed: hostname mismatch"));
  EXPECT_TRUE(bodies_.empty());
}

TEST_F(HttpUploadClientTlsTest, RefusesAnExpiredCertificate) {
  const auto expired = ca_->Issue("expired", {.common_name = "collector",
                                              .ip_addresses = {"127.0.0.1"},
                                              .not_before = -48h,
                                              .not_after = -24h});
  StartTlsServer(expired);
  MakeTlsClient("127.0.0.1", {.ca_file = ca_->certificate_file()});
  EXPECT_THAT(TlsFailure(), HasSubstr("certificate verify failed: certificate has expired"));
}

TEST_F(HttpUploadClientTlsTest, APlainHttpCollectorIsATlsFailure) {
  StartServer();
  MakeTlsClient("127.0.0.1", {.ca_file = ca_->certificate_file()});
  EXPECT_THAT(TlsFailure(), HasSubstr("tls handshake with 127.0.0.1"));
}

TEST_F(HttpUploadClientTlsTest, MutualTlsNeedsTheProbesCertificate) {
  StartTlsServer(server_cert_, ca_->certificate_file());
  MakeTlsClient("127.0.0.1", {.ca_file = ca_->certificate_file()});
  // Under TLS 1.3 the refusal arrives after the client's side of the handshake: as an alert on
  // the first read (kPermission), or as a reset when the collector's close overtakes it.
  auto refused = Post("batch");
  ASSERT_TRUE(refused);
  ASSERT_FALSE(*refused) << (*refused)->status;
  EXPECT_THAT((*refused).error().message, HasSubstr("127.0.0.1"));
  EXPECT_TRUE(bodies_.empty());
  MakeTlsClient("127.0.0.1", {.ca_file = ca_->certificate_file(),
                              .certificate_chain_file = xining_.certificate_file,
                              .private_key_file = xining_.key_file});
  auto answer = Post("batch");
  ASSERT_TRUE(answer);
  ASSERT_TRUE(*answer) << (*answer).error().message;
  EXPECT_EQ((*answer)->status, 202u);
  EXPECT_EQ(bodies_, std::vector<std::string>{"batch"});
}

}  // namespace
}  // namespace linkmon::upload
