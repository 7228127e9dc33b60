#include "manager/session_limits.h"

#include <unistd.h>

#include <algorithm>
#include <string>

namespace berth::manager {
namespace {

std::string Mib(uint64_t bytes) {
  // Plain bytes unless a whole number of MiB: messages stay exact.
  if (bytes % (uint64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::string Cpus(double cpus) {
  std::string s = std::to_string(cpus);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

double HostCpuCount() {
  long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<double>(n) : 1;
}

Status CheckLimitSettings(const LimitSettings& s) {
  // Written so that NaN fails too.
  if (!(s.default_cpu > 0) || !(s.max_cpu > 0) || s.default_memory_bytes == 0 ||
      s.max_memory_bytes == 0 || s.default_pids <= 0 || s.max_pids <= 0 || s.max_sessions <= 0 ||
      s.max_execs <= 0 || s.max_execs_total <= 0 || s.container_log_max_bytes == 0 ||
      s.default_scratch_bytes == 0 || s.max_scratch_bytes == 0) {
    return InvalidArgument("limits must be positive");
  }
  if (s.default_cpu > s.max_cpu || s.default_memory_bytes > s.max_memory_bytes ||
      s.default_pids > s.max_pids || s.default_scratch_bytes > s.max_scratch_bytes) {
    return InvalidArgument("a default limit is larger than its maximum");
  }
  return Status::Ok();
}

api::UserLimits EffectiveLimits(const LimitSettings& s, const api::UserLimits& o) {
  return api::UserLimits{o.max_sessions.value_or(s.max_sessions), o.max_cpu.value_or(s.max_cpu),
                         o.max_memory_bytes.value_or(s.max_memory_bytes),
                         o.max_pids.value_or(s.max_pids)};
}

api::UserLimits UserLimitOverrides(const store::UserRecord& u) {
  return api::UserLimits{u.max_sessions, u.max_cpu, u.max_memory_bytes, u.max_pids};
}

Status CheckUserLimits(const api::UserLimits& o) {
  if ((o.max_sessions && *o.max_sessions <= 0) || (o.max_cpu && !(*o.max_cpu > 0)) ||
      (o.max_memory_bytes && *o.max_memory_bytes == 0) || (o.max_pids && *o.max_pids <= 0)) {
    return InvalidArgument("limits must be positive numbers", "invalid_limits");
  }
  return Status::Ok();
}

Result<runtime::Resources> ResolveSessionResources(const LimitSettings& s,
                                                   const api::UserLimits& effective,
                                                   const api::SessionResources& requested,
                                                   size_t live_sessions) {
  const int64_t max_sessions = effective.max_sessions.value_or(s.max_sessions);
  const double max_cpu = effective.max_cpu.value_or(s.max_cpu);
  const uint64_t max_memory = effective.max_memory_bytes.value_or(s.max_memory_bytes);
  const int64_t max_pids = effective.max_pids.value_or(s.max_pids);
  if (static_cast<int64_t>(live_sessions) >= max_sessions) {
    return PermissionDenied("you already have " + std::to_string(live_sessions) +
                                " sessions, your limit; delete one first",
                            "session_limit");
  }
  if (requested.cpu && *requested.cpu > max_cpu) {
    return InvalidArgument("resources.cpu " + Cpus(*requested.cpu) + " is over your limit of " +
                               Cpus(max_cpu) + " CPUs",
                           "limit_exceeded");
  }
  if (requested.memory_bytes && *requested.memory_bytes > max_memory) {
    return InvalidArgument("resources.memory_bytes " + Mib(*requested.memory_bytes) +
                               " is over your limit of " + Mib(max_memory),
                           "limit_exceeded");
  }
  runtime::Resources r;
  r.cpus = requested.cpu.value_or(std::min(s.default_cpu, max_cpu));
  r.memory_bytes = requested.memory_bytes.value_or(std::min(s.default_memory_bytes, max_memory));
  r.pids_limit = std::min(s.default_pids, max_pids);
  r.scratch_bytes = s.default_scratch_bytes;
  return r;
}

}  // namespace berth::manager
