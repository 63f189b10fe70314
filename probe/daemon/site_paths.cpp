#include "probe/daemon/site_paths.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace linkmon::probe {
namespace {

constexpr std::string_view kSitePlaceholder = "{site}";
constexpr std::size_t kMinTokenLength = 16;

}  // namespace

std::string ExpandSitePath(std::string_view pattern, const SiteName& site) {
  std::string expanded;
  std::size_t from = 0;
  for (std::size_t at = pattern.find(kSitePlaceholder); at != std::string_view::npos;
       at = pattern.find(kSitePlaceholder, from)) {
    expanded.append(pattern.substr(from, at - from));
    expanded.append(site.str());
    from = at + kSitePlaceholder.size();
  }
  expanded.append(pattern.substr(from));
  return expanded;
}

Result<std::string> ReadTokenFile(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    return MakeError(ErrorCode::kIo,
                     "token file '" + path + "' cannot be read: " + std::strerror(errno));
  }
  if (!S_ISREG(status.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument, "token file '" + path + "' is not a file");
  }
  // A token others can read lets them upload as this probe.
  if ((status.st_mode & 077) != 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "token file '" + path +
                         "' is readable or writable by group or others; "
                         "chmod 600 it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIo, "token file '" + path + "' cannot be opened");
  std::ostringstream content;
  content << in.rdbuf();
  std::string token = content.str();
  const auto first = token.find_first_not_of(" \t\r\n");
  const auto last = token.find_last_not_of(" \t\r\n");
  token = first == std::string::npos ? std::string() : token.substr(first, last - first + 1);
  if (token.size() < kMinTokenLength) {
    return MakeError(ErrorCode::kInvalidArgument, "token file '" + path + "' holds fewer than " +
                                                      std::to_string(kMinTokenLength) +
                                                      " characters");
  }
  return token;
}

}  // namespace linkmon::probe
