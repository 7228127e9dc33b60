#include "common/process_stats.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sstream>
#include <string>

#include "common/dir_reader.h"
#include "common/fs_util.h"

namespace berth {
namespace {

// Seconds since the epoch at which the system booted ("btime" in /proc/stat).
Result<double> BootTime() {
  BERTH_ASSIGN_OR_RETURN(std::string stat, ReadFile("/proc/stat"));
  size_t at = stat.find("\nbtime ");
  if (at == std::string::npos) return Internal("no btime in /proc/stat");
  return std::stod(stat.substr(at + 7));
}

}  // namespace

Result<ProcessStats> ReadProcessStats() {
  ProcessStats s;
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));

  BERTH_ASSIGN_OR_RETURN(std::string statm, ReadFile("/proc/self/statm"));
  uint64_t size_pages = 0, resident_pages = 0;
  std::istringstream(statm) >> size_pages >> resident_pages;
  s.resident_bytes = static_cast<uint64_t>(static_cast<double>(resident_pages) * page);

  UniqueFd dir(::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return Internal("cannot open /proc/self/fd");
  DirReader reader(std::move(dir));
  DirEntry e;
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(bool more, reader.Next(&e));
    if (!more) break;
    ++s.open_fds;
  }
  if (s.open_fds > 0) --s.open_fds;  // the reader's own descriptor

  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) s.max_fds = lim.rlim_cur;

  // Fields after the command name (which may hold spaces): state is field 3,
  // utime 14, stime 15, starttime 22 (clock ticks since boot).
  BERTH_ASSIGN_OR_RETURN(std::string stat, ReadFile("/proc/self/stat"));
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return Internal("unexpected /proc/self/stat");
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  double utime = 0, stime = 0, start = 0;
  for (int i = 3; i <= 22 && fields >> f; ++i) {
    if (i == 14) utime = std::stod(f);
    if (i == 15) stime = std::stod(f);
    if (i == 22) start = std::stod(f);
  }
  s.cpu_seconds = (utime + stime) / ticks;
  BERTH_ASSIGN_OR_RETURN(double boot, BootTime());
  s.start_time_seconds = boot + start / ticks;
  return s;
}

}  // namespace berth
