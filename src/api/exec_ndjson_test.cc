#include "api/exec_ndjson.h"

#include <gtest/gtest.h>

namespace berth::api {
namespace {

TEST(ExecNdjson, Base64RoundTripsBinary) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  auto back = Base64Decode(Base64Encode(bytes));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, bytes);
  EXPECT_EQ(Base64Encode("hi"), "aGk=");
  EXPECT_EQ(*Base64Decode(""), "");
}

TEST(ExecNdjson, Base64RefusesGarbage) {
  EXPECT_FALSE(Base64Decode("aGk").ok());    // unpadded
  EXPECT_FALSE(Base64Decode("a*k=").ok());   // not the alphabet
  EXPECT_FALSE(Base64Decode("aGk=x").ok());  // trailing junk
  EXPECT_EQ(Base64Decode("!!").status().reason(), "invalid_base64");
}

TEST(ExecNdjson, OutputLineRoundTrips) {
  std::string data("a\0\xff\n", 4);
  std::string line = ExecOutputLine(ExecStreamKind::kStderr, data);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line, whatever the bytes
  line.pop_back();
  auto e = ParseExecLine(line);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, ExecStreamKind::kStderr);
  EXPECT_EQ(e->data, data);
  EXPECT_FALSE(e->final());
}

TEST(ExecNdjson, ExitLineIsFinal) {
  EXPECT_EQ(ExecExitLine(127), "{\"exit_code\":127}\n");
  auto e = ParseExecLine("{\"exit_code\":3}");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->final());
  EXPECT_EQ(e->exit_code, 3);
  EXPECT_FALSE(e->error.has_value());
}

TEST(ExecNdjson, TimeoutLineCarriesCodeAndError) {
  std::string line = ExecTimeoutLine(124, 1000);
  line.pop_back();
  auto e = ParseExecLine(line);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->exit_code, 124);
  EXPECT_TRUE(e->timed_out);
  ASSERT_TRUE(e->error.has_value());
  EXPECT_EQ(e->error->reason(), "timed_out");
  EXPECT_NE(e->error->message().find("1 s"), std::string::npos);
}

TEST(ExecNdjson, ErrorLineKeepsCodeAndMessage) {
  std::string line = ExecErrorLine(NotFound("container x was removed during exec"));
  line.pop_back();
  auto e = ParseExecLine(line);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->exit_code.has_value());
  ASSERT_TRUE(e->error.has_value());
  EXPECT_EQ(e->error->reason(), "not_found");
  EXPECT_EQ(e->error->message(), "container x was removed during exec");
}

TEST(ExecNdjson, RefusesOtherLines) {
  for (const char* l : {"", "[]", "{}", "{\"stream\":\"stdin\",\"data_b64\":\"\"}",
                        "{\"stream\":\"stdout\"}", "{\"stream\":\"stdout\",\"data_b64\":\"%\"}",
                        "{\"exit_code\":\"3\"}", "{\"error\":\"x\"}"}) {
    EXPECT_FALSE(ParseExecLine(l).ok()) << l;
  }
}

}  // namespace
}  // namespace berth::api
