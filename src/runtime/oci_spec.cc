#include "runtime/oci_spec.h"

#include <sched.h>

#include <nlohmann/json.hpp>

namespace berth::runtime {
namespace {

using nlohmann::json;

// Refused with EPERM. Mostly Docker's default-profile denials (the syscalls
// it only allows with CAP_SYS_ADMIN & co. which sessions never have), plus
// io_uring (Docker denies it since 25.0).
const char* const kDeniedSyscalls[] = {
    "acct",
    "add_key",
    "bpf",
    "clock_adjtime",
    "clock_settime",
    "create_module",
    "delete_module",
    "finit_module",
    "fsconfig",
    "fsmount",
    "fsopen",
    "fspick",
    "get_kernel_syms",
    "init_module",
    "io_uring_enter",
    "io_uring_register",
    "io_uring_setup",
    "ioperm",
    "iopl",
    "kexec_file_load",
    "kexec_load",
    "keyctl",
    "lookup_dcookie",
    "mount",
    "mount_setattr",
    "move_mount",
    "name_to_handle_at",
    "nfsservctl",
    "open_by_handle_at",
    "open_tree",
    "perf_event_open",
    "pivot_root",
    "process_vm_readv",
    "process_vm_writev",
    "query_module",
    "quotactl",
    "quotactl_fd",
    "reboot",
    "request_key",
    "setns",
    "settimeofday",
    "stime",
    "swapoff",
    "swapon",
    "_sysctl",
    "sysfs",
    "umount",
    "umount2",
    "unshare",
    "uselib",
    "userfaultfd",
    "ustat",
    "vm86",
    "vm86old",
};

const unsigned long kNamespaceFlags[] = {
    CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,    CLONE_NEWUSER,
    CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
};

json Architectures() {
#if defined(__x86_64__)
  return json::array({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"});
#elif defined(__aarch64__)
  return json::array({"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"});
#else
  return json::array();
#endif
}

json SeccompProfile() {
  json syscalls = json::array();
  json denied = json::array();
  for (const char* s : kDeniedSyscalls) denied.push_back(s);
  syscalls.push_back({{"names", denied}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}});
  syscalls.push_back(
      {{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 38 /* ENOSYS */}});
  // clone(2) with any namespace flag: one rule per flag (conditions inside a
  // rule are ANDed, separate rules are ORed). Flags are argument 0 on the
  // architectures listed above.
  for (unsigned long flag : kNamespaceFlags) {
    syscalls.push_back({{"names", {"clone"}},
                        {"action", "SCMP_ACT_ERRNO"},
                        {"errnoRet", 1},
                        {"args", json::array({{{"index", 0},
                                               {"value", flag},
                                               {"valueTwo", flag},
                                               {"op", "SCMP_CMP_MASKED_EQ"}}})}});
  }
  return {{"defaultAction", "SCMP_ACT_ALLOW"},
          {"architectures", Architectures()},
          {"syscalls", syscalls}};
}

json Mount(const std::string& dest, const std::string& type, const std::string& source,
           std::vector<std::string> options) {
  return {{"destination", dest}, {"type", type}, {"source", source}, {"options", options}};
}

json BindMountJson(const std::string& source, const std::string& target, bool read_only) {
  return Mount(target, "bind", source, {"bind", "nosuid", "nodev", read_only ? "ro" : "rw"});
}

}  // namespace

const std::vector<std::string>& SudoBoundingCapabilities() {
  static const std::vector<std::string> kCaps = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
      "CAP_KILL",    "CAP_SETGID",           "CAP_SETUID",     "CAP_SETPCAP",
      "CAP_SETFCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_AUDIT_WRITE",
  };
  return kCaps;
}

std::string DefaultSeccompProfileJson() { return SeccompProfile().dump(); }

std::string BuildOciConfig(const ContainerSpec& spec, const OciConfigOptions& o) {
  json caps = json::array();
  for (const auto& c : spec.bounding_capabilities) caps.push_back(c);
  json process = {
      {"terminal", false},
      {"user", {{"uid", spec.uid}, {"gid", spec.gid}, {"additionalGids", spec.additional_gids}}},
      // tini reaps every orphan (exec'd shells, their background jobs) and
      // forwards signals; `sleep infinity` keeps the sandbox alive.
      {"args", {kInitTarget, "--", "sleep", "infinity"}},
      {"env", spec.env},
      {"cwd", spec.cwd.empty() ? "/" : spec.cwd},
      {"capabilities",
       {{"bounding", caps},
        {"effective", json::array()},
        {"inheritable", json::array()},
        {"permitted", json::array()},
        {"ambient", json::array()}}},
      {"noNewPrivileges", spec.no_new_privileges},
  };

  json mounts = json::array({
      Mount("/proc", "proc", "proc", {}),
      Mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      Mount("/dev/pts", "devpts", "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      Mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      Mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      Mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      Mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
      BindMountJson(o.init_path, kInitTarget, true),
      BindMountJson(o.etc_dir + "/hostname", "/etc/hostname", true),
      BindMountJson(o.etc_dir + "/hosts", "/etc/hosts", true),
      BindMountJson(o.etc_dir + "/resolv.conf", "/etc/resolv.conf", true),
  });
  for (const auto& m : spec.mounts)
    mounts.push_back(BindMountJson(m.source, m.target, m.read_only));

  json resources = {{"devices", {{{"allow", false}, {"access", "rwm"}}}}};
  if (spec.resources.cpus && *spec.resources.cpus > 0) {
    const int64_t period = 100000;
    resources["cpu"] = {{"period", period},
                        {"quota", static_cast<int64_t>(*spec.resources.cpus * period)}};
  }
  if (spec.resources.memory_bytes) {
    resources["memory"] = {{"limit", static_cast<int64_t>(*spec.resources.memory_bytes)}};
  }
  resources["pids"] = {{"limit", spec.resources.pids_limit.value_or(4096)}};

  json annotations = json::object();
  for (const auto& [k, v] : spec.labels) annotations["berth.label." + k] = v;

  json linux_ = {
      {"namespaces",
       {{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}}},
      {"cgroupsPath", o.cgroups_path},
      {"resources", resources},
      {"rootfsPropagation", "rprivate"},
      {"maskedPaths",
       {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
        "/proc/scsi"}},
      {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}},
      {"seccomp", SeccompProfile()},
  };
  // A network namespace of its own (runc makes it, inside the user
  // namespace, so that namespace owns it); the agent wires it after start.
  if (spec.network_namespace) linux_["namespaces"].push_back({{"type", "network"}});
  if (o.userns) {
    // A user namespace may not mount sysfs while it shares the host's
    // network namespace (sysfs belongs to the net ns's owner): then bind the
    // host's /sys read-only instead, as rootless runtimes do. Its files are
    // host root's, which root inside is not. With its own network namespace
    // the session gets its own sysfs (only its own interfaces in
    // /sys/class/net).
    for (auto& m : mounts) {
      if (m["destination"] == "/sys" && !spec.network_namespace)
        m = Mount("/sys", "bind", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"});
    }
    linux_["namespaces"].push_back({{"type", "user"}});
    json map = json::array();
    for (const auto& l : ShiftMap(*o.userns))
      map.push_back({{"containerID", l.inner}, {"hostID", l.outer}, {"size", l.count}});
    linux_["uidMappings"] = map;
    linux_["gidMappings"] = map;
  }

  json config = {
      {"ociVersion", "1.0.2-dev"},
      {"process", process},
      {"root", {{"path", o.rootfs}, {"readonly", false}}},
      {"hostname", spec.hostname},
      {"mounts", mounts},
      {"annotations", annotations},
      {"linux", linux_},
  };
  return config.dump(2);
}

}  // namespace berth::runtime
