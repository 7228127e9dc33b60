// AuditLog's bound on what one record may write (regression: 200 KB user
// names in failed sign-ins wrote 80 MB to audit.log).
#include "manager/audit_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace berth::manager {
namespace {

TEST(AuditLogTest, LinesAreBoundedWhateverTheFields) {
  struct Case {
    const char* name;
    std::string field;
  };
  const Case cases[] = {
      {"short", "alice"},
      {"long", std::string(200 * 1024, 'a')},
      {"control bytes (escaped to six)", std::string(100 * 1024, '\x01')},
      {"cut inside UTF-8", std::string(255, 'a') + "\xc3\xa9\xc3\xa9"},
      {"invalid UTF-8", std::string(300, '\xff')},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string line = FormatAuditLine("2026-01-01T00:00:00Z", c.field, "auth.login", c.field,
                                       "denied", c.field);
    EXPECT_LE(line.size(), AuditLog::kMaxLineBytes);
    ASSERT_EQ(line.back(), '\n');
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j["action"], "auth.login");
    // 256 bytes of input, each invalid byte at most a 3-byte U+FFFD.
    EXPECT_LE(j["actor"].get<std::string>().size(), 3 * AuditLog::kMaxFieldBytes + 3);
  }
  std::string plain = FormatAuditLine("t", "alice", "a", "", "ok", "");
  EXPECT_NE(plain.find("\"actor\":\"alice\""), std::string::npos);
}

}  // namespace
}  // namespace berth::manager
