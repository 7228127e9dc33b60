#include "manager/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace berth::manager {

namespace {

std::string Cut(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  return s.substr(0, max) + "...";
}

}  // namespace

std::string FormatAuditLine(const std::string& time, const std::string& actor,
                            const std::string& action, const std::string& target,
                            const std::string& outcome, const std::string& detail) {
  // Escaping can grow a byte to six ("\u0001"), so halve the field limit
  // until the line fits.
  for (size_t max = AuditLog::kMaxFieldBytes;; max /= 2) {
    nlohmann::json j{{"time", Cut(time, max)},       {"actor", Cut(actor, max)},
                     {"action", Cut(action, max)},   {"target", Cut(target, max)},
                     {"outcome", Cut(outcome, max)}, {"detail", Cut(detail, max)}};
    // A cut may split a UTF-8 sequence: replace, never throw.
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (line.size() <= AuditLog::kMaxLineBytes || max == 0) return line;
  }
}

AuditLog::AuditLog(const std::string& path) {
  if (path.empty()) return;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  ::fchmod(fd, 0600);  // an older deployment's log may be world-readable
  file_ = ::fdopen(fd, "a");
}

AuditLog::~AuditLog() {
  if (file_) std::fclose(file_);
}

void AuditLog::Record(const std::string& actor, const std::string& action,
                      const std::string& target, const std::string& outcome,
                      const std::string& detail) {
  if (!file_) return;
  std::string line = FormatAuditLine(NowRfc3339(), actor, action, target, outcome, detail);
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace berth::manager
