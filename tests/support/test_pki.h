#pragma once

// Certificates made at test time with the OpenSSL C API (no openssl CLI, no files in the tree that
// expire): a CA per test, and leaf certificates it signs with the names, validity and key usage a
// test needs (a server for 127.0.0.1 and localhost, clients named after probe ids, an expired
// one). Keys are ECDSA P-256: fast to make. Failures throw std::runtime_error (tests only).

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace linkmon::testing {

struct CertificateSpec {
  std::string common_name = {};
  std::vector<std::string> dns_names = {};     // subjectAltName DNS entries
  std::vector<std::string> ip_addresses = {};  // subjectAltName IP entries
  // Validity, relative to now: an expired certificate has both in the past.
  std::chrono::seconds not_before = -std::chrono::hours(1);
  std::chrono::seconds not_after = std::chrono::hours(24);
};

struct CertificateFiles {
  std::string certificate_file = {};  // PEM: the certificate alone (the CA is the trust anchor)
  std::string key_file = {};          // PEM, unencrypted
};

class TestCertificateAuthority {
 public:
  // Writes <dir>/<name>-ca.pem (the CA certificate) and keeps the key in memory.
  TestCertificateAuthority(const std::filesystem::path& dir, const std::string& name);
  ~TestCertificateAuthority();
  TestCertificateAuthority(const TestCertificateAuthority&) = delete;
  TestCertificateAuthority& operator=(const TestCertificateAuthority&) = delete;

  const std::string& certificate_file() const { return certificate_file_; }

  // Signs a leaf certificate for TLS servers and clients (extendedKeyUsage serverAuth,
  // clientAuth), written to <dir>/<stem>.pem and <dir>/<stem>-key.pem.
  CertificateFiles Issue(const std::string& stem, const CertificateSpec& spec);

 private:
  struct Keys;
  std::filesystem::path dir_;
  std::string certificate_file_;
  std::unique_ptr<Keys> keys_;
  long next_serial_ = 2;
};

}  // namespace linkmon::testing
