#include "tests/support/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <stdexcept>

namespace linkmon::testing {

namespace {

struct FreeKey {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct FreeCertificate {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;
using Certificate = std::unique_ptr<X509, FreeCertificate>;

void Check(bool ok, const std::string& step) {
  if (!ok) throw std::runtime_error("test_pki: " + step + " failed");
}

Key NewKey() {
  Key key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EC key generation");
  return key;
}

void AddExtension(X509* certificate, X509V3_CTX& context, int nid, const std::string& value) {
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  Check(extension != nullptr, "extension " + value);
  Check(X509_add_ext(certificate, extension, -1) == 1, "adding extension " + value);
  X509_EXTENSION_free(extension);
}

// A certificate for `key` named `common_name`, valid over [not_before, not_after] from now,
// with neither issuer nor signature yet.
Certificate NewCertificate(EVP_PKEY* key, const std::string& common_name, long serial,
                           std::chrono::seconds not_before, std::chrono::seconds not_after) {
  Certificate certificate(X509_new());
  Check(certificate != nullptr, "X509_new");
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), not_before.count());
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), not_after.count());
  Check(X509_set_pubkey(certificate.get(), key) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("linkmon tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  return certificate;
}

void WritePem(const std::string& path, auto write) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  Check(file != nullptr, "opening " + path);
  const bool ok = write(file) == 1;
  std::fclose(file);
  Check(ok, "writing " + path);
}

}  // namespace

struct TestCertificateAuthority::Keys {
  Key key;
  Certificate certificate;
};

TestCertificateAuthority::TestCertificateAuthority(const std::filesystem::path& dir,
                                                   const std::string& name)
    : dir_(dir), certificate_file_((dir / (name + "-ca.pem")).string()) {
  Key key = NewKey();
  Certificate certificate = NewCertificate(key.get(), name + " test CA", 1, -std::chrono::hours(1),
                                           std::chrono::hours(24 * 30));
  Check(X509_set_issuer_name(certificate.get(), X509_get_subject_name(certificate.get())) == 1,
        "issuer name");
  X509V3_CTX context;
  X509V3_set_ctx(&context, certificate.get(), certificate.get(), nullptr, nullptr, 0);
  AddExtension(certificate.get(), context, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(certificate.get(), context, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(certificate.get(), context, NID_subject_key_identifier, "hash");
  Check(X509_sign(certificate.get(), key.get(), EVP_sha256()) > 0, "signing the CA");
  WritePem(certificate_file_,
           [&](std::FILE* file) { return PEM_write_X509(file, certificate.get()); });
  keys_ = std::make_unique<Keys>(Keys{std::move(key), std::move(certificate)});
}

TestCertificateAuthority::~TestCertificateAuthority() = default;

CertificateFiles TestCertificateAuthority::Issue(const std::string& stem,
                                                 const CertificateSpec& spec) {
  Key key = NewKey();
  Certificate certificate =
      NewCertificate(key.get(), spec.common_name, next_serial_++, spec.not_before, spec.not_after);
  Check(
      X509_set_issuer_name(certificate.get(), X509_get_subject_name(keys_->certificate.get())) == 1,
      "issuer name");
  X509V3_CTX context;
  X509V3_set_ctx(&context, keys_->certificate.get(), certificate.get(), nullptr, nullptr, 0);
  AddExtension(certificate.get(), context, NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(certificate.get(), context, NID_key_usage, "critical,digitalSignature");
  AddExtension(certificate.get(), context, NID_ext_key_usage, "serverAuth,clientAuth");
  AddExtension(certificate.get(), context, NID_authority_key_identifier, "keyid:always");
  std::string alt_names;
  for (const std::string& dns : spec.dns_names)
    alt_names += (alt_names.empty() ? "" : ",") + ("DNS:" + dns);
  for (const std::string& ip : spec.ip_addresses)
    alt_names += (alt_names.empty() ? "" : ",") + ("IP:" + ip);
  if (!alt_names.empty()) {
    AddExtension(certificate.get(), context, NID_subject_alt_name, alt_names);
  }
  Check(X509_sign(certificate.get(), keys_->key.get(), EVP_sha256()) > 0, "signing " + stem);
  CertificateFiles files{(dir_ / (stem + ".pem")).string(), (dir_ / (stem + "-key.pem")).string()};
  WritePem(files.certificate_file,
           [&](std::FILE* file) { return PEM_write_X509(file, certificate.get()); });
  WritePem(files.key_file, [&](std::FILE* file) {
    return PEM_write_PrivateKey(file, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  return files;
}

}  // namespace linkmon::testing
