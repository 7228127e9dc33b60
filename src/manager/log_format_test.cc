#include "manager/log_format.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace berth::manager {
namespace {

std::vector<nlohmann::json> Lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(LogFormat, ChecksTheName) {
  EXPECT_TRUE(CheckLogFormat("text").ok());
  EXPECT_TRUE(CheckLogFormat("json").ok());
  EXPECT_FALSE(CheckLogFormat("xml").ok());
}

TEST(LogFormat, JsonLinesParseAndMergeAccessFields) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(MakeJsonLogFormatter());
  spdlog::logger plain("", sink);
  spdlog::logger access("access", sink);
  plain.info("quote \" backslash \\ newline \n tab \t bad utf-8 \xff");
  plain.warn("second");
  access.info("{}", R"({"method":"GET","status":200})");
  access.info("{}", "not an object");
  auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_FALSE(lines[0].contains("logger"));
  EXPECT_EQ(lines[0]["msg"].get<std::string>().substr(0, 7), "quote \"");
  EXPECT_EQ(lines[0]["time"].get<std::string>().size(), 24u);  // 2026-01-02T03:04:05.678Z
  EXPECT_EQ(lines[1]["level"], "warning");
  EXPECT_EQ(lines[2]["logger"], "access");
  EXPECT_EQ(lines[2]["method"], "GET");
  EXPECT_EQ(lines[2]["status"], 200);
  EXPECT_FALSE(lines[2].contains("msg"));
  EXPECT_EQ(lines[3]["msg"], "not an object");
}

}  // namespace
}  // namespace berth::manager
