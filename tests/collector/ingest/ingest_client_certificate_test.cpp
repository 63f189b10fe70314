// IngestService behind the real HttpServer with mutual TLS on 127.0.0.1: an upload's client
// certificate must name its token's probe (403 certificate_mismatch otherwise), certificates are
// made at test time, and the binding follows the config on Reconfigure.

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>

#include "common/batch/batch_codec.h"
#include "exporters/http/tls_context.h"
#include "tests/collector/ingest/ingest_server.h"
#include "tests/collector/ingest/ingest_test_config.h"
#include "tests/common/batch/batch_examples.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace linkmon::ingest {
namespace {

using batch::testing::ExampleBatch;
using batch::testing::ExampleTime;
using linkmon::testing::CertificateFiles;
using linkmon::testing::HttpAnswer;
using nlohmann::json;

class IngestClientCertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_.emplace(dir_, "probes");
    const CertificateFiles server =
        ca_->Issue("collector", {.common_name = "collector", .ip_addresses = {"127.0.0.1"}});
    xining_ = ca_->Issue("xining", {.common_name = "xining", .dns_names = {"xining"}});
    haidong_ = ca_->Issue("haidong", {.common_name = "haidong"});  // CN only: the fallback

    config_ = testing::IngestTestConfig(dir_, 2);
    config_.collector.tls = config::CollectorTls{.certificate_file = server.certificate_file,
                                                 .private_key_file = server.key_file,
                                                 .client_ca_file = ca_->certificate_file()};
    clock_.SetSystemTime(ExampleTime() + std::chrono::minutes(1));
    auto tls = exporters::MakeTlsServerContext({.certificate_chain_file = server.certificate_file,
                                                .private_key_file = server.key_file,
                                                .client_ca_file = ca_->certificate_file()});
    ASSERT_TRUE(tls) << tls.error().message;
    ASSERT_NO_FATAL_FAILURE(server_.Start(config_, clock_, registry_,
                                          {.store = {.path = dir_ / "collector.db"},
                                           .ingest = IngestOptionsFromConfig(config_),
                                           .http = {.tls = *tls}}));
  }

  void TearDown() override { server_.Stop(); }

  // POSTs `probe`'s batch with `token`, presenting `cert`.
  HttpAnswer Post(const CertificateFiles& cert, const std::string& token,
                  const std::string& probe) {
    return linkmon::testing::HttpsExchange(
        server_.endpoint(),
        {.ca_file = ca_->certificate_file(),
         .certificate_file = cert.certificate_file,
         .key_file = cert.key_file},
        {.method = boost::beast::http::verb::post,
         .target = "/api/v1/ingest",
         .headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
         .body = batch::EncodeBatch(ExampleBatch(probe, next_sequence_++, 2))});
  }

  linkmon::testing::TempDir temp_dir_{"linkmon-ingest-mtls-test"};
  const std::filesystem::path& dir_ = temp_dir_.path();
  std::optional<linkmon::testing::TestCertificateAuthority> ca_;
  CertificateFiles xining_, haidong_;
  config::Config config_;
  FakeClock clock_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  testing::IngestServer server_;
  std::uint64_t next_sequence_ = 1;
};

TEST_F(IngestClientCertificateTest, AcceptsAProbeWhoseCertificateNamesIt) {
  const HttpAnswer xining = Post(xining_, testing::kXiningToken, "xining");
  ASSERT_EQ(xining.status, 200u) << xining.body;
  EXPECT_EQ(json::parse(xining.body)["status"], "applied");
  const HttpAnswer haidong = Post(haidong_, testing::kHaidongToken, "haidong");
  EXPECT_EQ(haidong.status, 200u) << haidong.body;
}

TEST_F(IngestClientCertificateTest, RefusesAnotherProbesCertificateWith403) {
  // Haidong's certificate carrying xining's token and batch: both credentials must name one probe.
  const HttpAnswer stolen_token = Post(haidong_, testing::kXiningToken, "xining");
  ASSERT_EQ(stolen_token.status, 403u) << stolen_token.body;
  const json body = json::parse(stolen_token.body);
  EXPECT_EQ(body["reason"], "certificate_mismatch");
  EXPECT_EQ(body["error"],
            "the client certificate does not name probe 'xining' (it names 'haidong')");
  // Haidong's certificate and token with xining's batch: the token check refuses it.
  const HttpAnswer other_batch = Post(haidong_, testing::kHaidongToken, "xining");
  ASSERT_EQ(other_batch.status, 403u) << other_batch.body;
  EXPECT_EQ(json::parse(other_batch.body)["reason"], "token_mismatch");
  // Nothing was stored; the right probe still gets in.
  EXPECT_EQ(Post(xining_, testing::kXiningToken, "xining").status, 200u);
}

TEST_F(IngestClientCertificateTest, TheBindingFollowsTheReloadedConfig) {
  config::Config without_mutual_tls = config_;
  without_mutual_tls.collector.tls->client_ca_file.clear();
  std::promise<Status> reconfigured;
  boost::asio::post(server_.io(), [&] {
    reconfigured.set_value(server_.service().Reconfigure(without_mutual_tls));
  });
  ASSERT_TRUE(reconfigured.get_future().get());
  // The server's context (still asking for certificates here) is not ingest's business: without
  // client_ca_file ingest no longer binds them.
  EXPECT_EQ(Post(haidong_, testing::kXiningToken, "xining").status, 200u);
}

}  // namespace
}  // namespace linkmon::ingest
