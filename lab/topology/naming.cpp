#include "lab/topology/naming.h"

#include <fmt/format.h>

namespace linkmon::lab {

bool IsValidLabName(std::string_view name) {
  if (name.empty() || name.size() > kMaxLabNameLength) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

std::string SiteNamespace(std::string_view lab, const Site& site) {
  return fmt::format("{}-{}", lab, site.name.str());
}

std::string WanNamespace(std::string_view lab) { return fmt::format("{}-{}", lab, kWanSuffix); }

std::string NamespacePrefix(std::string_view lab) { return fmt::format("{}-", lab); }

std::string SiteInterface(std::string_view lab, int site_index) {
  return fmt::format("{}-s{}", lab, site_index);
}

std::string WanInterface(std::string_view lab, int site_index) {
  return fmt::format("{}-w{}", lab, site_index);
}

std::string SiteIpv4(int site_index) { return fmt::format("10.77.{}.2", site_index); }
std::string RouterIpv4(int site_index) { return fmt::format("10.77.{}.1", site_index); }
std::string SiteIpv4Net(int site_index) { return fmt::format("10.77.{}.0/24", site_index); }
std::string SiteIpv6(int site_index) { return fmt::format("fd00:6c6d:0:{:x}::2", site_index); }
std::string RouterIpv6(int site_index) { return fmt::format("fd00:6c6d:0:{:x}::1", site_index); }
std::string SiteIpv6Net(int site_index) { return fmt::format("fd00:6c6d:0:{:x}::/64", site_index); }

}  // namespace linkmon::lab
