#include "config/http_url.h"

#include <gtest/gtest.h>

namespace linkmon::config {
namespace {

TEST(ParseHttpUrlTest, ReadsSchemeHostPortAndPath) {
  auto url = ParseHttpUrl("http://192.0.2.5:9100");
  ASSERT_TRUE(url);
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "192.0.2.5");
  EXPECT_EQ(url->port, 9100);
  EXPECT_EQ(url->path, "/");

  auto tls = ParseHttpUrl("https://collector.example/linkmon");
  ASSERT_TRUE(tls);
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->host, "collector.example");
  EXPECT_EQ(tls->port, 443);
  EXPECT_EQ(tls->path, "/linkmon");
  EXPECT_EQ(tls->ToString(), "https://collector.example:443/linkmon");

  auto v6 = ParseHttpUrl("http://[2001:db8::5]:9100/");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "2001:db8::5");
  EXPECT_EQ(v6->ToString(), "http://[2001:db8::5]:9100/");
}

TEST(ParseHttpUrlTest, RefusesWhatWouldFailAtTheFirstUpload) {
  EXPECT_EQ(ParseHttpUrl("ftp://192.0.2.5").error().message,
            "invalid URL 'ftp://192.0.2.5': must start with http:// or https://");
  EXPECT_EQ(ParseHttpUrl("http://user:secret@192.0.2.5/").error().message,
            "invalid URL 'http://user:secret@192.0.2.5/': credentials do not belong in the URL; "
            "use token_file");
  EXPECT_EQ(ParseHttpUrl("http://192.0.2.5:0").error().message,
            "invalid URL 'http://192.0.2.5:0': port must be a number from 1 to 65535");
  EXPECT_EQ(ParseHttpUrl("http://192.0.2.5:99999").error().message,
            "invalid URL 'http://192.0.2.5:99999': port must be a number from 1 to 65535");
  EXPECT_EQ(ParseHttpUrl("http://:9100").error().message,
            "invalid URL 'http://:9100': '' is not a host name or address");
  EXPECT_EQ(ParseHttpUrl("http://bad_host.example").error().message,
            "invalid URL 'http://bad_host.example': 'bad_host.example' is not a host name or "
            "address");
  EXPECT_EQ(ParseHttpUrl("http://[192.0.2.5]:80").error().message,
            "invalid URL 'http://[192.0.2.5]:80': '192.0.2.5' is not an IPv6 address");
  EXPECT_EQ(ParseHttpUrl("http://a b").error().message,
            "invalid URL 'http://a b': contains a space or control character");
}

}  // namespace
}  // namespace linkmon::config
