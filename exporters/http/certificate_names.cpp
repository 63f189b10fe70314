#include "exporters/http/certificate_names.h"

#include <openssl/x509v3.h>

namespace linkmon::exporters {

namespace {

// ASN.1 strings may hold any bytes; a name with a NUL inside would compare equal to its prefix in
// C, so such names are dropped rather than cut.
void AddName(const ASN1_STRING* text, std::vector<std::string>& names) {
  if (text == nullptr) return;
  const auto* data = reinterpret_cast<const char*>(ASN1_STRING_get0_data(text));
  std::string name(data, static_cast<std::size_t>(ASN1_STRING_length(text)));
  if (name.empty() || name.find('\0') != std::string::npos) return;
  names.push_back(std::move(name));
}

}  // namespace

std::vector<std::string> CertificateNames(X509* certificate) {
  std::vector<std::string> names;
  if (certificate == nullptr) return names;
  auto* alt_names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (alt_names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(alt_names); ++i) {
      const GENERAL_NAME* entry = sk_GENERAL_NAME_value(alt_names, i);
      if (entry->type == GEN_DNS) AddName(entry->d.dNSName, names);
    }
    GENERAL_NAMES_free(alt_names);
  }
  if (!names.empty()) return names;
  const X509_NAME* subject = X509_get_subject_name(certificate);
  for (int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); at >= 0;
       at = X509_NAME_get_index_by_NID(subject, NID_commonName, at)) {
    AddName(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)), names);
  }
  return names;
}

}  // namespace linkmon::exporters
