#include "manager/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace berth::manager {

AuditLog::AuditLog(const std::string& path) {
  if (path.empty()) return;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) file_ = ::fdopen(fd, "a");
}

AuditLog::~AuditLog() {
  if (file_) std::fclose(file_);
}

void AuditLog::Record(const std::string& actor, const std::string& action,
                      const std::string& target, const std::string& outcome,
                      const std::string& detail) {
  if (!file_) return;
  nlohmann::json j{{"time", NowRfc3339()}, {"actor", actor},     {"action", action},
                   {"target", target},     {"outcome", outcome}, {"detail", detail}};
  std::string line = j.dump() + "\n";
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace berth::manager
