// MakeTlsServerContext / MakeTlsClientContext: each file problem is refused with the key, the
// file and what is wrong, and a good set gives a TLS 1.2+ context without compression.

#include "exporters/http/tls_context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace linkmon::exporters {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_.emplace(dir_, "main");
    server_ = ca_->Issue("server", {.common_name = "collector", .ip_addresses = {"127.0.0.1"}});
    other_ = ca_->Issue("other", {.common_name = "other"});
    garbage_ = (dir_ / "garbage.pem").string();
    std::ofstream(garbage_) << "-----BEGIN CERTIFICATE-----\nnot base64 at all\n";
  }

  linkmon::testing::TempDir temp_dir_{"linkmon-tls-context-test"};
  const std::filesystem::path& dir_ = temp_dir_.path();
  std::optional<linkmon::testing::TestCertificateAuthority> ca_;
  linkmon::testing::CertificateFiles server_, other_;
  std::string garbage_;
};

TEST_F(TlsContextTest, BuildsAServerContextWithTheProtocolFloor) {
  auto context = MakeTlsServerContext({.certificate_chain_file = server_.certificate_file,
                                       .private_key_file = server_.key_file,
                                       .client_ca_file = ca_->certificate_file()});
  ASSERT_TRUE(context) << context.error().message;
  SSL_CTX* native = (*context)->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(native), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get_options(native) & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(SSL_CTX_get_options(native) & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_EQ(SSL_CTX_get_verify_mode(native), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
}

TEST_F(TlsContextTest, RefusesFilesItCannotUse) {
  const std::string missing = (dir_ / "missing.pem").string();
  struct Case {
    TlsServerFiles files;
    ErrorCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{missing, server_.key_file, ""},
       ErrorCode::kIo,
       "tls: certificate_file " + missing + ": cannot read: No such file or directory"},
      {{server_.certificate_file, missing, ""},
       ErrorCode::kIo,
       "tls: private_key_file " + missing + ": cannot read: No such file or directory"},
      {{garbage_, server_.key_file, ""},
       ErrorCode::kParse,
       "tls: certificate_file " + garbage_ + ": not a PEM certificate chain ("},
      {{server_.certificate_file, garbage_, ""},
       ErrorCode::kParse,
       "tls: private_key_file " + garbage_ + ": not an unencrypted PEM private key ("},
      {{server_.certificate_file, other_.key_file, ""},
       ErrorCode::kInvalidArgument,
       "tls: private_key_file " + other_.key_file + ": is not the key of the certificate in " +
           server_.certificate_file},
      {{server_.certificate_file, server_.key_file, garbage_},
       ErrorCode::kParse,
       "tls: client_ca_file " + garbage_ + ": holds no PEM CA certificate ("},
  };
  for (const Case& c : cases) {
    auto context = MakeTlsServerContext(c.files);
    ASSERT_FALSE(context) << c.message;
    EXPECT_EQ(context.error().code, c.code) << context.error().message;
    EXPECT_THAT(context.error().message, StartsWith(c.message));
  }
}

TEST_F(TlsContextTest, ClientContextNeedsCertificateAndKeyTogether) {
  auto context = MakeTlsClientContext(
      {.ca_file = ca_->certificate_file(), .certificate_chain_file = server_.certificate_file});
  ASSERT_FALSE(context);
  EXPECT_THAT(context.error().message, HasSubstr("both certificate_file and private_key_file"));
  auto system_store = MakeTlsClientContext({});
  ASSERT_TRUE(system_store) << system_store.error().message;
  EXPECT_EQ(SSL_CTX_get_verify_mode((*system_store)->native_handle()), SSL_VERIFY_PEER);
  auto bad_ca = MakeTlsClientContext({.ca_file = garbage_});
  ASSERT_FALSE(bad_ca);
  EXPECT_THAT(bad_ca.error().message, StartsWith("tls: ca_file " + garbage_));
}

}  // namespace
}  // namespace linkmon::exporters
