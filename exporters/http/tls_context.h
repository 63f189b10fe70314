#pragma once

// OpenSSL contexts (Boost.Asio ssl) for the daemons' HTTPS: the collector's server and the
// probe's uploader. Both ends get the same floor: TLS 1.2 or later, no TLS compression (CRIME),
// no renegotiation, OpenSSL's default cipher list (at TLS 1.2+ it holds only AEAD and CBC-SHA2
// suites with forward secrecy first). Files are PEM. Every failure names the key's file and what
// is wrong with it, so that a start-up error says which file to fix.
//
// A context is built once (and again on a reload) and shared by the connections made with it:
// hold it in a shared_ptr, so that a connection outlives a context replaced under it.

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "common/result.h"

namespace linkmon::exporters {

struct TlsServerFiles {
  std::string certificate_chain_file = {};  // the server's certificate first, then intermediates
  std::string private_key_file = {};        // the key of the first certificate; unencrypted
  // CA certificates client certificates must chain to. Set: mutual TLS, every client must present
  // a certificate that verifies, or the handshake fails. Empty: no client certificate asked.
  std::string client_ca_file = {};
};

struct TlsClientFiles {
  std::string ca_file =
      {};  // CA certificates the server's chain must reach; empty: the system store
  // Both or neither: the client certificate (then intermediates) and its key, for mutual TLS.
  std::string certificate_chain_file = {};
  std::string private_key_file = {};
};

using TlsContext = std::shared_ptr<boost::asio::ssl::context>;

// Errors: kIo when a file cannot be read, kParse when it holds no valid PEM of the kind expected,
// kInvalidArgument when the key does not belong to the certificate.
Result<TlsContext> MakeTlsServerContext(const TlsServerFiles& files);
Result<TlsContext> MakeTlsClientContext(const TlsClientFiles& files);

// Why a handshake on `ssl` failed with `error`: the certificate verification result when the
// peer's chain or name did not verify ("certificate verify failed: certificate has expired"), the
// reason an operator can act on; OpenSSL's error otherwise ("wrong version number").
std::string TlsHandshakeFailure(SSL* ssl, const boost::system::error_code& error);

// The reason OpenSSL gave for the last failure on this thread ("certificate verify failed"), and
// clears its queue; `fallback` when it holds none.
std::string TakeOpenSslError(std::string_view fallback);

}  // namespace linkmon::exporters
