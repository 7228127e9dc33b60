#include "manager/download_links.h"

#include <gtest/gtest.h>

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
  // Another path signed by another user does not verify as this one.
  std::string b = links.Sign({"u2", "f", "a.txt", 1000});
  EXPECT_NE(b, t);
}

}  // namespace
}  // namespace berth::manager
