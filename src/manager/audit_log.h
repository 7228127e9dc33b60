// AuditLog: an append-only record of security-relevant actions (sign-ins,
// credential failures, shares, deletes, purges, user changes) as JSON lines
// in <data-dir>/audit.log (mode 0600). Thread-safe.
//
// Fields come partly from callers (user names, addresses, paths), so every
// line is bounded: each field is cut to kMaxFieldBytes (marked with "..."),
// and a line never exceeds kMaxLineBytes, so a flood of requests cannot turn
// into a flood of bytes per request.
#pragma once

#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>

namespace berth::manager {

// The JSON line (with its '\n') for one record; fields cut as above,
// invalid UTF-8 replaced.
std::string FormatAuditLine(const std::string& time, const std::string& actor,
                            const std::string& action, const std::string& target,
                            const std::string& outcome, const std::string& detail);

class AuditLog {
 public:
  // An empty path disables the log (tests).
  explicit AuditLog(const std::string& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  static constexpr size_t kMaxFieldBytes = 256;
  static constexpr size_t kMaxLineBytes = 4096;

  // One line: {"time","actor","action","target","outcome","detail"}.
  void Record(const std::string& actor, const std::string& action, const std::string& target,
              const std::string& outcome = "ok", const std::string& detail = "");

 private:
  std::mutex mu_;
  FILE* file_ = nullptr;
};

}  // namespace berth::manager
