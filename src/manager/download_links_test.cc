#include "manager/download_links.h"

#include <gtest/gtest.h>

#include "common/digest.h"

namespace berth::manager {
namespace {

TEST(DownloadLinksTest, SignedLinkVerifiesUntilExpiry) {
  DownloadLinks links("k1");
  DownloadLink l{"u", "f", "dir/a b.txt", 1000};
  std::string t = links.Sign(l);
  auto v = links.Verify(t, 999);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->path, "dir/a b.txt");
  EXPECT_EQ(v->folder_id, "f");
  EXPECT_EQ(links.Verify(t, 1001).status().reason(), "link_expired");
}

TEST(DownloadLinksTest, TamperingIsRefused) {
  DownloadLinks links("k1");
  std::string t = links.Sign({"u", "f", "a.txt", 1000});
  std::string other = DownloadLinks("k2").Sign({"u", "f", "a.txt", 1000});
  EXPECT_EQ(links.Verify(other, 0).status().reason(), "bad_link");
  std::string altered = t;
  altered[3] = altered[3] == '0' ? '1' : '0';
  EXPECT_EQ(links.Verify(altered, 0).status().reason(), "bad_link");
  EXPECT_EQ(links.Verify("nodot", 0).status().reason(), "bad_link");
  EXPECT_EQ(links.Verify("zz.zz", 0).status().reason(), "bad_link");
}

// The user is part of what is signed: a link handed to (or stolen by)
// another user cannot be rewritten to name them, and each user's own link
// verifies as that user. This fails if Sign/Verify stop binding the user.
TEST(DownloadLinksTest, LinkIsBoundToItsUser) {
  DownloadLinks links("k1");
  const std::string t = links.Sign({"alice", "f", "a.txt", 1000});
  auto v = links.Verify(t, 0);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->user_id, "alice");

  const size_t dot = t.find('.');
  ASSERT_NE(dot, std::string::npos);
  // Pins the payload layout, so the forgery below differs only in the user.
  ASSERT_EQ(t.substr(0, dot), HexEncode("alice\nf\n1000\na.txt"));
  const std::string forged = HexEncode("bob\nf\n1000\na.txt") + t.substr(dot);
  EXPECT_EQ(links.Verify(forged, 0).status().reason(), "bad_link");

  const std::string for_bob = links.Sign({"bob", "f", "a.txt", 1000});
  EXPECT_NE(for_bob, t);
  auto vb = links.Verify(for_bob, 0);
  ASSERT_TRUE(vb.ok());
  EXPECT_EQ(vb->user_id, "bob");
}

}  // namespace
}  // namespace berth::manager
