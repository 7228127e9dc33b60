#include "api/raw_name.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/json.h"

namespace berth::api {
namespace {

TEST(RawNameTest, Utf8Validation) {
  struct Case {
    std::string s;
    bool valid;
  } cases[] = {
      {"", true},
      {"plain.txt", true},
      {"caf\xC3\xA9", true},
      {"\xF0\x9F\x98\x80", true},
      {"bad\xFF\xFE.txt", false},
      {"\xC0\xAF", false},          // overlong '/'
      {"\xED\xA0\x80", false},      // surrogate
      {"\xF4\x90\x80\x80", false},  // above U+10FFFF
      {"\xE2\x82", false},          // truncated
  };
  for (const auto& c : cases) EXPECT_EQ(IsValidUtf8(c.s), c.valid) << c.s;
}

TEST(RawNameTest, DisplayReplacesEachBadByte) {
  EXPECT_EQ(DisplayName("bad\xFF\xFE.txt"), "bad\xEF\xBF\xBD\xEF\xBF\xBD.txt");
  EXPECT_EQ(DisplayName("ok"), "ok");
}

TEST(RawNameTest, RawFormRoundTripsEveryByte) {
  std::string all;
  for (int c = 1; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(DecodeRawName(EncodeRawName(all)), all);
  EXPECT_EQ(EncodeRawName("bad\xFF\xFE.txt"), "bad%FF%FE.txt");
  EXPECT_EQ(EncodeRawName("a b/c+"), "a%20b%2Fc%2B");
  EXPECT_EQ(DecodeRawName("a+b"), "a+b");
  EXPECT_EQ(DecodeRawName("%"), std::nullopt);
  EXPECT_EQ(DecodeRawName("%F"), std::nullopt);
  EXPECT_EQ(DecodeRawName("%GG"), std::nullopt);
}

// Regression: a listing holding a non-UTF-8 name used to throw in dump().
TEST(RawNameTest, FileListWithNonUtf8NameSerialisesAndRoundTrips) {
  FileList list;
  list.path = "dir\xFF";
  list.entries.push_back(FileEntry{"bad\xFF\xFE.txt", "file", 3, 0, 0644});
  list.entries.push_back(FileEntry{"good.txt", "file", 3, 0, 0644});
  list.next = "good\xFE";
  nlohmann::json j = list;
  std::string text = j.dump();  // throws on invalid UTF-8
  EXPECT_EQ(j["entries"][0]["name_raw"], "bad%FF%FE.txt");
  EXPECT_FALSE(j["entries"][1].contains("name_raw"));
  EXPECT_EQ(j["path_raw"], "dir%FF");
  EXPECT_EQ(j["next_raw"], "good%FE");
  FileList back = nlohmann::json::parse(text).get<FileList>();
  EXPECT_EQ(back.path, list.path);
  EXPECT_EQ(back.entries[0].name, list.entries[0].name);
  EXPECT_EQ(back.entries[1].name, "good.txt");
  EXPECT_EQ(back.next, list.next);
}

}  // namespace
}  // namespace berth::api
