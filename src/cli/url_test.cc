#include "cli/url.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

TEST(ParseEndpointTest, Accepts) {
  struct Case {
    const char* url;
    const char* host;
    const char* port;
    const char* base;
    bool tls = false;
  } cases[] = {
      {"http://127.0.0.1:8470", "127.0.0.1", "8470", ""},
      {"http://example.org", "example.org", "80", ""},
      {"example.org:9000", "example.org", "9000", ""},
      {"http://h:1/prefix/", "h", "1", "/prefix"},
      {"http://[::1]:8470", "::1", "8470", ""},
      {"http://[::1]", "::1", "80", ""},
      {"https://example.org", "example.org", "443", "", true},
      {"https://127.0.0.1:8471/b", "127.0.0.1", "8471", "/b", true},
  };
  for (const auto& c : cases) {
    Result<Endpoint> ep = ParseEndpoint(c.url);
    ASSERT_TRUE(ep.ok()) << c.url << ": " << ep.status().ToString();
    EXPECT_EQ(ep->host, c.host) << c.url;
    EXPECT_EQ(ep->port, c.port) << c.url;
    EXPECT_EQ(ep->base_path, c.base) << c.url;
    EXPECT_EQ(ep->tls, c.tls) << c.url;
  }
  EXPECT_EQ(ParseEndpoint("https://h")->ToString(), "https://h:443");
  EXPECT_EQ(ParseEndpoint("http://[::1]:80")->ToString(), "http://[::1]:80");
}

TEST(ParseEndpointTest, Rejects) {
  for (const char* url : {"https://", "ftp://h", "http://", "http://:80",
                          "http://h:", "http://h:x", "http://h:123456", "http://[::1"}) {
    EXPECT_FALSE(ParseEndpoint(url).ok()) << url;
  }
}

TEST(TargetTest, BuildsPathAndQuery) {
  Target t("/api/v1/folders");
  t.Segment("my data").Segment("files").Query("path", "a b/#1?.txt").Query("limit", "10");
  EXPECT_EQ(t.str(), "/api/v1/folders/my%20data/files?path=a%20b%2F%231%3F.txt&limit=10");
  EXPECT_EQ(Target("/x").str(), "/x");
}

TEST(FolderPathTest, Normalizes) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"", ""},
      {"/", ""},
      {".", ""},
      {"./", ""},
      {"a", "a"},
      {"/a/b/", "a/b"},
      {"a//b/./c", "a/b/c"},
      {"../x", "../x"},
      {"a b", "a b"},
  };
  for (const auto& c : cases) EXPECT_EQ(NormalizeFolderPath(c.in), c.want) << c.in;
  EXPECT_EQ(JoinFolderPath("", "x"), "x");
  EXPECT_EQ(JoinFolderPath("/a/", "x"), "a/x");
  EXPECT_EQ(JoinFolderPath("a", ""), "a");
  EXPECT_EQ(BaseName("a/b/"), "b");
  EXPECT_EQ(BaseName("b"), "b");
  EXPECT_EQ(BaseName("/"), "");
}

}  // namespace
}  // namespace berth::cli
