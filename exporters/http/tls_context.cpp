#include "exporters/http/tls_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace linkmon::exporters {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's own file errors say "system lib"; opening the file first gives the errno text.
Status CheckReadable(std::string_view key, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return MakeError(ErrorCode::kIo, "tls: " + std::string(key) + " " + path +
                                         ": cannot read: " + std::strerror(errno));
  }
  return {};
}

Error FileError(ErrorCode code, std::string_view key, const std::string& path,
                std::string_view what) {
  return Error{code, "tls: " + std::string(key) + " " + path + ": " + std::string(what) + " (" +
                         TakeOpenSslError("no detail from OpenSSL") + ")"};
}

// An encrypted key would make OpenSSL ask for its passphrase on the terminal: refuse instead.
int NoPassphrase(char*, int, int, void*) { return 0; }

Result<TlsContext> NewContext(ssl::context::method method) {
  auto context = std::make_shared<ssl::context>(method);
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return MakeError(ErrorCode::kUnsupported,
                     "tls: this OpenSSL cannot set TLS 1.2 as the minimum version");
  }
  // No compression (CRIME), no renegotiation (a client-driven CPU cost and an old source of
  // bugs); TLS 1.3 tickets and 1.2 session ids stay on, so a reconnecting probe resumes cheaply.
  SSL_CTX_set_options(
      native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_default_passwd_cb(native, NoPassphrase);
  return context;
}

// Certificate chain and key of this end; both paths non-empty.
Status UseCertificate(SSL_CTX* native, const std::string& chain_file, const std::string& key_file,
                      std::string_view chain_key, std::string_view key_key) {
  if (auto readable = CheckReadable(chain_key, chain_file); !readable) return readable;
  if (auto readable = CheckReadable(key_key, key_file); !readable) return readable;
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(native, chain_file.c_str()) != 1) {
    return tl::unexpected(
        FileError(ErrorCode::kParse, chain_key, chain_file, "not a PEM certificate chain"));
  }
  // Parsed apart from SSL_CTX_use_PrivateKey, which also fails on a key of another certificate:
  // the two mistakes need different fixes.
  EVP_PKEY* key = nullptr;
  if (BIO* file = BIO_new_file(key_file.c_str(), "r")) {
    key = PEM_read_bio_PrivateKey(file, nullptr, NoPassphrase, nullptr);
    BIO_free(file);
  }
  if (key == nullptr) {
    return tl::unexpected(
        FileError(ErrorCode::kParse, key_key, key_file, "not an unencrypted PEM private key"));
  }
  ERR_clear_error();
  const bool key_used = SSL_CTX_use_PrivateKey(native, key) == 1;
  EVP_PKEY_free(key);
  if (!key_used || SSL_CTX_check_private_key(native) != 1) {
    return tl::unexpected(FileError(ErrorCode::kInvalidArgument, key_key, key_file,
                                    "is not the key of the certificate in " + chain_file));
  }
  return {};
}

Status TrustCas(SSL_CTX* native, std::string_view key, const std::string& ca_file) {
  if (auto readable = CheckReadable(key, ca_file); !readable) return readable;
  ERR_clear_error();
  if (SSL_CTX_load_verify_locations(native, ca_file.c_str(), nullptr) != 1) {
    return tl::unexpected(
        FileError(ErrorCode::kParse, key, ca_file, "holds no PEM CA certificate"));
  }
  return {};
}

}  // namespace

std::string TakeOpenSslError(std::string_view fallback) {
  std::string reason;
  // The earliest error is the cause; later ones are the call stack's way out.
  if (const unsigned long code = ERR_get_error(); code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof(text));
    reason = text;
  }
  ERR_clear_error();
  return reason.empty() ? std::string(fallback) : reason;
}

std::string TlsHandshakeFailure(SSL* ssl, const boost::system::error_code& error) {
  const long verified = SSL_get_verify_result(ssl);
  if (verified != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verified);
  }
  return error.message();
}

Result<TlsContext> MakeTlsServerContext(const TlsServerFiles& files) {
  auto context = NewContext(ssl::context::tls_server);
  if (!context) return context;
  SSL_CTX* native = (*context)->native_handle();
  if (auto used = UseCertificate(native, files.certificate_chain_file, files.private_key_file,
                                 "certificate_file", "private_key_file");
      !used) {
    return tl::unexpected(used.error());
  }
  if (!files.client_ca_file.empty()) {
    if (auto trusted = TrustCas(native, "client_ca_file", files.client_ca_file); !trusted) {
      return tl::unexpected(trusted.error());
    }
    // Tell clients which CAs are accepted, so that one holding several certificates picks right.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(native, names);
    }
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    // Resumed sessions keep the verified client certificate; OpenSSL refuses to resume a session
    // whose context id is unset when client certificates are verified.
    static constexpr unsigned char kSessionContext[] = "linkmon-collector";
    SSL_CTX_set_session_id_context(native, kSessionContext, sizeof(kSessionContext) - 1);
  }
  ERR_clear_error();
  return context;
}

Result<TlsContext> MakeTlsClientContext(const TlsClientFiles& files) {
  if (files.certificate_chain_file.empty() != files.private_key_file.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "tls: a client certificate needs both certificate_file and private_key_file");
  }
  auto context = NewContext(ssl::context::tls_client);
  if (!context) return context;
  SSL_CTX* native = (*context)->native_handle();
  if (files.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(native) != 1) {
      return MakeError(ErrorCode::kIo, "tls: cannot load the system's CA store (" +
                                           TakeOpenSslError("no detail from OpenSSL") + ")");
    }
  } else if (auto trusted = TrustCas(native, "ca_file", files.ca_file); !trusted) {
    return tl::unexpected(trusted.error());
  }
  if (!files.certificate_chain_file.empty()) {
    if (auto used = UseCertificate(native, files.certificate_chain_file, files.private_key_file,
                                   "certificate_file", "private_key_file");
        !used) {
      return tl::unexpected(used.error());
    }
  }
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  ERR_clear_error();
  return context;
}

}  // namespace linkmon::exporters
