// AuditLog: an append-only record of security-relevant actions (sign-ins,
// credential failures, shares, deletes, purges, user changes) as JSON lines
// in <data-dir>/audit.log. Thread-safe.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

namespace berth::manager {

class AuditLog {
 public:
  // An empty path disables the log (tests).
  explicit AuditLog(const std::string& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // One line: {"time","actor","action","target","outcome","detail"}.
  void Record(const std::string& actor, const std::string& action, const std::string& target,
              const std::string& outcome = "ok", const std::string& detail = "");

 private:
  std::mutex mu_;
  FILE* file_ = nullptr;
};

}  // namespace berth::manager
