#include "http/trusted_proxy.h"

#include <gtest/gtest.h>

namespace berth::http {
namespace {

TEST(TrustedProxiesTest, ParseRejectsGarbage) {
  for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "host.example",
                          "10.0.0.0/8x", "10.0.0.0/-1"}) {
    EXPECT_FALSE(TrustedProxies::Parse({bad}).ok()) << bad;
  }
}

TEST(TrustedProxiesTest, Contains) {
  auto p = TrustedProxies::Parse({"10.1.0.0/16", "192.0.2.7", "2001:db8::/32", "127.0.0.1/32"});
  ASSERT_TRUE(p.ok());
  struct Case {
    const char* addr;
    bool want;
  } cases[] = {
      {"10.1.2.3", true},       {"10.2.0.1", false},        {"192.0.2.7", true},
      {"192.0.2.8", false},     {"2001:db8::1", true},      {"2001:db9::1", false},
      {"::ffff:10.1.9.9", true}, {"127.0.0.1", true},       {"127.0.0.2", false},
      {"not-an-ip", false},     {"", false},
  };
  for (const auto& c : cases) EXPECT_EQ(p->Contains(c.addr), c.want) << c.addr;
  EXPECT_FALSE(TrustedProxies().Contains("127.0.0.1"));
}

TEST(TrustedProxiesTest, ZeroPrefixTrustsEveryone) {
  auto p = TrustedProxies::Parse({"0.0.0.0/0"});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->Contains("203.0.113.9"));
  EXPECT_FALSE(p->Contains("2001:db8::1"));  // an IPv4 network matches IPv4 only
}

TEST(ResolveClientTest, Table) {
  auto p = TrustedProxies::Parse({"127.0.0.1", "10.0.0.0/8"});
  ASSERT_TRUE(p.ok());
  struct Case {
    const char* peer;
    bool tls;
    const char* xff;
    const char* xfp;
    const char* want_addr;
    bool want_https;
  } cases[] = {
      // Untrusted peers: the headers are ignored.
      {"192.0.2.1", false, "203.0.113.5", "https", "192.0.2.1", false},
      {"192.0.2.1", true, "203.0.113.5", "http", "192.0.2.1", true},
      // A trusted peer: the client is the rightmost untrusted entry.
      {"127.0.0.1", false, "203.0.113.5", "https", "203.0.113.5", true},
      {"127.0.0.1", false, "198.51.100.1, 203.0.113.5", "", "203.0.113.5", false},
      {"127.0.0.1", false, "203.0.113.5, 10.0.0.2", "http", "203.0.113.5", false},
      {"127.0.0.1", false, "10.0.0.3,10.0.0.2", "", "10.0.0.3", false},
      // Garbage stops the walk at the last good address.
      {"127.0.0.1", false, "203.0.113.5, junk", "", "127.0.0.1", false},
      {"127.0.0.1", false, "junk, 10.0.0.2", "", "10.0.0.2", false},
      {"127.0.0.1", false, "", "HTTPS", "127.0.0.1", true},
      {"127.0.0.1", false, "2001:db8::5", "https, http", "2001:db8::5", true},
  };
  for (const auto& c : cases) {
    ClientOrigin o = ResolveClient(*p, c.peer, c.tls, c.xff, c.xfp);
    EXPECT_EQ(o.addr, c.want_addr) << c.peer << " " << c.xff;
    EXPECT_EQ(o.https, c.want_https) << c.peer << " " << c.xfp;
  }
}

}  // namespace
}  // namespace berth::http
