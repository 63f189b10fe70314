#pragma once

// The identities a certificate names, as mutual TLS binds them to probes: every DNS
// subjectAltName, or the subject's common name when the certificate has no DNS name (RFC 6125
// section 6.4.4: the CN is a fallback, never an addition to SANs).

#include <openssl/x509.h>

#include <string>
#include <vector>

namespace linkmon::exporters {

// Empty for a null certificate or one without any name.
std::vector<std::string> CertificateNames(X509* certificate);

}  // namespace linkmon::exporters
