#include "runtime/proc_tree.h"

#include <dirent.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "common/fs_util.h"

namespace berth::runtime {

std::vector<pid_t> DescendantPids(pid_t root) {
  std::multimap<pid_t, pid_t> children;  // ppid -> pid
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return {};
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    auto stat = ReadFile("/proc/" + std::string(e->d_name) + "/stat");
    if (!stat.ok()) continue;
    // The command name in (...) may hold spaces and ')': skip past the last.
    size_t paren = stat->rfind(')');
    if (paren == std::string::npos) continue;
    char state;
    int ppid;
    if (std::sscanf(stat->c_str() + paren + 1, " %c %d", &state, &ppid) != 2) continue;
    children.emplace(ppid, static_cast<pid_t>(pid));
  }
  ::closedir(d);
  std::vector<pid_t> out;
  std::vector<pid_t> todo = {root};
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    auto [lo, hi] = children.equal_range(p);
    for (auto it = lo; it != hi; ++it) {
      out.push_back(it->second);
      todo.push_back(it->second);
    }
  }
  return out;
}

}  // namespace berth::runtime
