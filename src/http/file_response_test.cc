#include "http/file_response.h"

#include <fcntl.h>

#include <gtest/gtest.h>

namespace berth::http {
namespace {

std::string HeaderOf(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

TEST(ContentDispositionTest, Table) {
  const std::pair<const char*, const char*> cases[] = {
      {"a.txt", "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt"},
      {"say \"hi\".txt",
       "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt"},
      {"back\\slash", "attachment; filename=\"back_slash\"; filename*=UTF-8''back%5Cslash"},
      {"\xc3\xa9t\xc3\xa9", "attachment; filename=\"__t__\"; filename*=UTF-8''%C3%A9t%C3%A9"},
  };
  for (const auto& [name, want] : cases) EXPECT_EQ(ContentDisposition(name), want) << name;
}

TEST(QuotedEtagTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(QuotedEtag("abc"), "\"abc\"");
  EXPECT_EQ(QuotedEtag("\"abc\""), "\"abc\"");
}

// One request's conditional and range headers, and the answer expected for a
// 100-byte file whose ETag is "e1".
struct Case {
  const char* if_none_match;
  const char* if_range;
  const char* range;
  int status;
  uint64_t offset, length;
  const char* content_range;
};

TEST(FileResponseTest, ConditionalAndRangeTable) {
  const Case cases[] = {
      {"", "", "", 200, 0, 100, ""},
      {"\"e1\"", "", "bytes=0-9", 304, 0, 0, ""},
      {"\"old\"", "", "", 200, 0, 100, ""},
      {"", "", "bytes=0-9", 206, 0, 10, "bytes 0-9/100"},
      {"", "\"e1\"", "bytes=90-", 206, 90, 10, "bytes 90-99/100"},
      {"", "\"old\"", "bytes=0-9", 200, 0, 100, ""},  // changed since: whole file
      {"", "", "bytes=100-", 416, 0, 0, "bytes */100"},
  };
  for (const auto& c : cases) {
    Request req;
    if (*c.if_none_match) req.headers.emplace_back("if-none-match", c.if_none_match);
    if (*c.if_range) req.headers.emplace_back("if-range", c.if_range);
    if (*c.range) req.headers.emplace_back("range", c.range);
    FileToSend f{UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)), 100, "e1", "f.bin"};
    Response r = FileResponse(req, std::move(f));
    SCOPED_TRACE(std::string(c.if_none_match) + "|" + c.if_range + "|" + c.range);
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(HeaderOf(r, "Content-Range"), c.content_range);
    if (c.status == 200 || c.status == 206) {
      ASSERT_TRUE(r.file.has_value());
      EXPECT_EQ(r.file->offset, c.offset);
      EXPECT_EQ(r.file->length, c.length);
      EXPECT_EQ(HeaderOf(r, "ETag"), "\"e1\"");
    } else {
      EXPECT_FALSE(r.file.has_value());
    }
  }
}

}  // namespace
}  // namespace berth::http
