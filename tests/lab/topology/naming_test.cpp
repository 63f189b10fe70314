#include <gtest/gtest.h>

#include "lab/topology/naming.h"

namespace linkmon::lab {
namespace {

TEST(NamingTest, LabNamesCannotPrefixEachOther) {
  EXPECT_TRUE(IsValidLabName("qh3"));
  EXPECT_TRUE(IsValidLabName("abcdefghij"));
  EXPECT_FALSE(IsValidLabName("abcdefghijk"));  // 11: "<name>-w250" would pass IFNAMSIZ
  EXPECT_FALSE(IsValidLabName("qh-3"));         // '-' would let "qh-" match lab "qh"'s names
  EXPECT_FALSE(IsValidLabName("3qh"));
  EXPECT_FALSE(IsValidLabName("Qh3"));
  EXPECT_FALSE(IsValidLabName(""));
}

TEST(NamingTest, InterfaceNamesFitIfnamsiz) {
  const std::string longest_lab(kMaxLabNameLength, 'a');
  EXPECT_EQ(WanInterface(longest_lab, kMaxSites).size(), 15u);
  EXPECT_EQ(SiteInterface(longest_lab, kMaxSites).size(), 15u);
  EXPECT_EQ(SiteInterface("qh3", 2), "qh3-s2");
  EXPECT_EQ(WanInterface("qh3", 2), "qh3-w2");
}

TEST(NamingTest, NamespacesAndAddresses) {
  const Site site{.name = *SiteName::Make("xining"), .index = 12, .unprivileged_icmp = false};
  EXPECT_EQ(SiteNamespace("qh3", site), "qh3-xining");
  EXPECT_EQ(WanNamespace("qh3"), "qh3-wan");
  EXPECT_EQ(NamespacePrefix("qh3"), "qh3-");
  EXPECT_EQ(SiteIpv4(12), "10.77.12.2");
  EXPECT_EQ(RouterIpv4(12), "10.77.12.1");
  EXPECT_EQ(SiteIpv4Net(12), "10.77.12.0/24");
  EXPECT_EQ(SiteIpv6(12), "fd00:6c6d:0:c::2");
  EXPECT_EQ(RouterIpv6(12), "fd00:6c6d:0:c::1");
  EXPECT_EQ(SiteIpv6Net(12), "fd00:6c6d:0:c::/64");
}

}  // namespace
}  // namespace linkmon::lab
