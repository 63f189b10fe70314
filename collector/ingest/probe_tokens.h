#pragma once

// ProbeTokens: which probe site a bearer token belongs to (collector.token_files: one file per
// probe site, holding that site's token).
//
// A presented token is compared with every configured token in constant time (the time depends
// only on the configured tokens' lengths, never on where the first differing byte is), and all
// are compared even after a match, so response timing tells nothing about how close a guess
// was, nor which site's token it resembled.
//
// Thread-safety: immutable after Load; safe to share read-only.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/result.h"

namespace linkmon::ingest {

class ProbeTokens {
 public:
  // Reads each file; the token is its content without surrounding whitespace. Errors: kIo when a
  // file cannot be read, kInvalidArgument when a token is empty or shorter than 16 characters,
  // or two sites share a token (a token must name exactly one site).
  static Result<ProbeTokens> Load(const std::map<SiteName, std::string>& token_files);
  // From tokens in memory (tests), with the same checks.
  static Result<ProbeTokens> FromTokens(const std::map<SiteName, std::string>& tokens);

  // The site whose token is in `authorization` ("Bearer <token>"), or nullopt.
  std::optional<SiteName> Authenticate(std::string_view authorization) const;

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    SiteName site;
    std::string token;
  };
  explicit ProbeTokens(std::vector<Entry> entries) : entries_(std::move(entries)) {}
  std::vector<Entry> entries_;
};

// True when a == b, in time that depends on b's length only.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace linkmon::ingest
