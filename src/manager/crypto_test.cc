#include "manager/crypto.h"

#include <gtest/gtest.h>

namespace berth::manager {
namespace {

TEST(CryptoTest, Sha256KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoTest, TokensAreRandomAndPrefixed) {
  std::string a = NewTokenSecret(), b = NewTokenSecret();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("berth_", 0), 0u);
  EXPECT_EQ(a.size(), 6u + 64u);
}

TEST(CryptoTest, PasswordHashVerifies) {
  std::string h = HashPassword("s3cret");
  EXPECT_TRUE(VerifyPassword(h, "s3cret"));
  EXPECT_FALSE(VerifyPassword(h, "s3cret!"));
  EXPECT_FALSE(VerifyPassword("", "x"));
  EXPECT_TRUE(ConstantTimeEquals("ab", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
}

}  // namespace
}  // namespace berth::manager
