#include "collector/ingest/probe_tokens.h"

#include <fstream>
#include <sstream>

namespace linkmon::ingest {
namespace {

constexpr std::size_t kMinTokenLength = 16;

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of b is visited; a's bytes beyond its length read as 0 and the length difference
  // is folded in, so neither a prefix match nor a's length changes the work done.
  volatile unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const unsigned char left = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    difference = static_cast<unsigned char>(difference | (left ^ static_cast<unsigned char>(b[i])));
  }
  return difference == 0;
}

Result<ProbeTokens> ProbeTokens::FromTokens(const std::map<SiteName, std::string>& tokens) {
  std::vector<Entry> entries;
  for (const auto& [site, raw] : tokens) {
    const std::string token(Trim(raw));
    if (token.size() < kMinTokenLength) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "token of probe site '" + site.str() + "' is shorter than " +
                           std::to_string(kMinTokenLength) + " characters");
    }
    for (const Entry& other : entries) {
      if (other.token == token) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "probe sites '" + other.site.str() + "' and '" + site.str() + "' have the same token");
      }
    }
    entries.push_back(Entry{site, token});
  }
  return ProbeTokens(std::move(entries));
}

Result<ProbeTokens> ProbeTokens::Load(const std::map<SiteName, std::string>& token_files) {
  std::map<SiteName, std::string> tokens;
  for (const auto& [site, file] : token_files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return MakeError(ErrorCode::kIo, "token file '" + file + "' of probe site '" + site.str() +
                                           "' cannot be read");
    }
    std::ostringstream content;
    content << in.rdbuf();
    tokens.emplace(site, content.str());
  }
  auto loaded = FromTokens(tokens);
  if (!loaded) {
    return MakeError(loaded.error().code, "collector.token_files: " + loaded.error().message);
  }
  return loaded;
}

std::optional<SiteName> ProbeTokens::Authenticate(std::string_view authorization) const {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  // RFC 7235: the scheme is case-insensitive.
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return std::nullopt;
    }
  }
  const std::string_view presented = Trim(authorization.substr(kScheme.size()));
  const Entry* match = nullptr;
  for (const Entry& entry : entries_) {
    if (ConstantTimeEquals(presented, entry.token)) match = &entry;
  }
  if (match == nullptr) return std::nullopt;
  return match->site;
}

}  // namespace linkmon::ingest
