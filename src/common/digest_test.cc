#include "common/digest.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/fs_util.h"

namespace berth {
namespace {

constexpr char kAbcSha256[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(DigestTest, Sha256HexKnownVectors) {
  EXPECT_EQ(Sha256Hex("abc"), kAbcSha256);
  EXPECT_EQ(Sha256Hex(""), kEmptySha256);
}

TEST(DigestTest, HexRoundTrip) {
  const std::string bytes("\x00\x01\x7f\x80\xff", 5);
  EXPECT_EQ(HexEncode(bytes), "00017f80ff");
  std::string back;
  ASSERT_TRUE(HexDecode("00017f80ff", &back));
  EXPECT_EQ(back, bytes);
  std::string bad;
  EXPECT_FALSE(HexDecode("abc", &bad));  // odd length
  EXPECT_FALSE(HexDecode("zz", &bad));
  EXPECT_FALSE(HexDecode("AB", &bad));  // lower-case only
}

TEST(DigestTest, Sha256FileHexMatchesInMemoryHash) {
  char dir_template[] = "/tmp/berth-digest-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  ASSERT_TRUE(WriteFileAtomic(dir + "/abc", "abc").ok());
  EXPECT_EQ(*Sha256FileHex(dir + "/abc"), kAbcSha256);
  // Larger than one read buffer (64 KiB), so the hash spans several reads.
  std::string big(200 * 1024 + 7, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(WriteFileAtomic(dir + "/big", big).ok());
  EXPECT_EQ(*Sha256FileHex(dir + "/big"), Sha256Hex(big));
  EXPECT_EQ(Sha256FileHex(dir + "/missing").status().code(), Code::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace berth
