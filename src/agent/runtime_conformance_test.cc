// The runtime conformance suite (SPEC §3 "Runtime drivers", STYLE habit 4):
// the same end-to-end behaviour tests of SessionAgent + ContainerRuntime +
// ImageStore, run once per driver (runc, docker) on the real machine with
// the default `python` image: mounts, user, read-only binds, privileges,
// sudo, pip --user, terminals, exec timeouts, delete, reconcile, containers
// removed behind the runtime's back.
//
// Needs root. runc: runc + tini-static + overlayfs. docker: a Docker Engine
// (API >= 1.41) at $BERTH_DOCKER_SOCKET (default /var/run/docker.sock), e.g.
// `scripts/dockerd.sh start` + BERTH_DOCKER_SOCKET=/run/berth-dockerd.sock;
// the docker cases SKIP when no daemon answers. The image is built once per
// machine into $BERTH_TEST_IMAGE_DIR (default /var/cache/berth-test/images),
// which needs the Debian mirror the first time.
// Binary: runtime_conformance_test (ctest label "integration").
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <thread>

#include "agent/session_agent.h"
#include "common/fs_util.h"
#include "common/random.h"
#include "common/subprocess.h"
#include "images/image_store.h"
#include "net/bridge_network.h"
#include "runtime/docker_runtime.h"
#include "runtime/runc_runtime.h"

namespace berth::agent {
namespace {

namespace fs = std::filesystem;

std::string ImageDir() {
  const char* d = std::getenv("BERTH_TEST_IMAGE_DIR");
  return d != nullptr && *d ? d : "/var/cache/berth-test/images";
}

// Built once per machine, shared by every test (and every test binary).
images::ImageStore* SharedImages() {
  static std::unique_ptr<images::ImageStore> store = [] {
    images::ImageStoreOptions o;
    o.root = ImageDir();
    o.recipes_dir = BERTH_SOURCE_RECIPES_DIR;
    auto s = images::ImageStore::Open(o);
    return s.ok() ? std::move(*s) : nullptr;
  }();
  return store.get();
}

// What the suite needs to know about a driver beyond the ContainerRuntime
// interface.
struct Driver {
  std::string name;
  // Opens a runtime whose state lives under `dir` (a fresh temp dir). Sets
  // *skip (and returns nullptr) when the driver cannot run on this machine.
  std::function<std::unique_ptr<runtime::ContainerRuntime>(const std::string& dir,
                                                           std::string* skip)>
      open;
  // Removes a container the way an operator would, behind Berth's back.
  std::function<void(runtime::ContainerRuntime*, const std::string& dir, const std::string& id)>
      remove_behind_back;
  // Whether anything of the container is left in the driver's own state
  // (bundle dir, Docker container).
  std::function<bool(runtime::ContainerRuntime*, const std::string& dir, const std::string& id)>
      has_traces;
  // Whether sessions of the opened runtime run in a user namespace
  // (container root = host 100000). Docker: only with a daemon started with
  // --userns-remap, as scripts/dockerd.sh does (docs/operations.md).
  std::function<bool(runtime::ContainerRuntime*)> userns;
};

Driver RuncDriver() {
  Driver d;
  d.name = "runc";
  d.userns = [](runtime::ContainerRuntime*) { return true; };
  d.open = [](const std::string& dir,
              std::string* skip) -> std::unique_ptr<runtime::ContainerRuntime> {
    if (::access("/usr/bin/tini-static", X_OK) != 0) {
      *skip = "needs tini-static";
      return nullptr;
    }
    runtime::RuncOptions ro;
    ro.bundles_dir = dir + "/containers";
    ro.state_dir = dir + "/runc";
    ro.cgroup_parent = "/berth-test";
    auto rt = runtime::RuncRuntime::Open(ro);
    if (!rt.ok()) {
      *skip = "runc driver unavailable: " + rt.status().ToString();
      return nullptr;
    }
    return std::move(*rt);
  };
  d.remove_behind_back = [](runtime::ContainerRuntime*, const std::string& dir,
                            const std::string& id) {
    SubprocessOptions o;
    o.argv = {"runc", "--root", dir + "/runc", "delete", "--force", id};
    o.timeout = std::chrono::seconds(30);
    auto r = RunSubprocess(o);
    ASSERT_TRUE(r.ok() && r->ok())
        << (r.ok() ? DescribeFailure(o.argv, *r) : r.status().ToString());
  };
  d.has_traces = [](runtime::ContainerRuntime* rt, const std::string&, const std::string& id) {
    return fs::exists(static_cast<runtime::RuncRuntime*>(rt)->BundleDir(id));
  };
  return d;
}

std::string DockerSocket() {
  const char* s = std::getenv("BERTH_DOCKER_SOCKET");
  return s != nullptr && *s ? s : "/var/run/docker.sock";
}

Driver DockerDriver() {
  Driver d;
  d.name = "docker";
  d.open = [](const std::string& dir,
              std::string* skip) -> std::unique_ptr<runtime::ContainerRuntime> {
    runtime::DockerOptions o;
    o.socket_path = DockerSocket();
    // Scoped to this test: List() sees only its own containers even when
    // other runs share the daemon.
    o.instance = "it-" + RandomHex(4);
    o.name_prefix = "berth-" + o.instance + "-";
    o.binds_dir = dir + "/docker-binds";
    auto rt = runtime::DockerRuntime::Open(o);
    if (!rt.ok()) {
      *skip = "Docker Engine not usable (" + rt.status().message() +
              "); run scripts/dockerd.sh start and set "
              "BERTH_DOCKER_SOCKET=/run/berth-dockerd.sock";
      return nullptr;
    }
    return std::move(*rt);
  };
  d.remove_behind_back = [](runtime::ContainerRuntime* rt, const std::string&,
                            const std::string& id) {
    auto* docker = static_cast<runtime::DockerRuntime*>(rt);
    auto r = docker->client().Request("DELETE",
                                      "/containers/" + docker->ContainerName(id) + "?force=true",
                                      "", std::chrono::seconds(60));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 204u) << r->body;
  };
  d.userns = [](runtime::ContainerRuntime* rt) {
    return static_cast<runtime::DockerRuntime*>(rt)->userns().has_value();
  };
  d.has_traces = [](runtime::ContainerRuntime* rt, const std::string& dir, const std::string& id) {
    auto* docker = static_cast<runtime::DockerRuntime*>(rt);
    auto r = docker->client().Request("GET", "/containers/" + docker->ContainerName(id) + "/json",
                                      "", std::chrono::seconds(30));
    return !r.ok() || r->status != 404 || fs::exists(dir + "/docker-binds/" + id);
  };
  return d;
}

class RuntimeConformanceTest : public ::testing::TestWithParam<Driver> {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) return;
    images::ImageStore* store = SharedImages();
    ASSERT_NE(store, nullptr);
    if (!store->Get("python").ok()) {
      auto built = store->Build("python");
      ASSERT_TRUE(built.ok()) << built.status().ToString();
    }
  }

  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    ASSERT_TRUE(SharedImages()->Get("python").ok());
    char tmpl[] = "/tmp/berth-it-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    std::string skip;
    runtime_ = GetParam().open(dir, &skip);
    if (runtime_ == nullptr) {
      (void)RemoveTree(dir);
      GTEST_SKIP() << skip;
    }
    dir_ = dir;
    auto agent = SessionAgent::Open({dir_, runtime_.get(), {dir_ + "/vol"}});
    ASSERT_TRUE(agent.ok());
    agent_ = std::move(*agent);
    for (const char* f : {"data", "models", ".local", ".linuxbrew"}) {
      std::string p = dir_ + "/vol/" + f;
      ASSERT_TRUE(MkdirAll(p).ok());
      ASSERT_EQ(::chown(p.c_str(), 1000, 1000), 0);
      folders_.push_back({f, std::string("id-") + f, p, "rw", "ready"});
    }
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/vol/models/weights.bin", "w").ok());
  }

  void TearDown() override {
    if (dir_.empty()) return;
    for (const auto& id : created_) EXPECT_TRUE(agent_->Delete(id).ok()) << id;
    if (network_) EXPECT_TRUE(network_->Shutdown().ok());  // chains and bridge go
    // Whatever a failed test left: every container of this runtime goes.
    auto left = runtime_->List();
    EXPECT_TRUE(left.ok()) << left.status().ToString();
    if (left.ok()) {
      EXPECT_TRUE(left->empty()) << left->size() << " containers left, e.g. " << left->front().id;
      for (const auto& c : *left) EXPECT_TRUE(runtime_->Delete(c.id).ok()) << c.id;
    }
    EXPECT_TRUE(MountPointsUnder(dir_).empty());
    EXPECT_TRUE(RemoveTree(dir_).ok());
  }

  // The spec as the manager hands it over: the request validated, the image
  // looked up, the mounts planned against folders_.
  Result<SessionSpec> Prepare(const std::string& name, std::vector<const char*> mounts,
                              const std::function<void(SessionRequest&)>& edit = {}) {
    SessionRequest r;
    r.name = name;
    r.image = "python";
    for (const char* m : mounts) {
      BERTH_ASSIGN_OR_RETURN(auto mount, ParseMountSpec(m));
      r.mounts.push_back(std::move(mount));
    }
    if (edit) edit(r);
    BERTH_ASSIGN_OR_RETURN(auto valid, ValidateSessionRequest(std::move(r)));
    SessionSpec s(std::move(valid));
    s.id = NewUuid();
    s.name = name;
    s.owner = "alice";
    BERTH_ASSIGN_OR_RETURN(s.image, SharedImages()->Get(*s.request->image));
    MountPlanInput in;
    in.requests = s.request->mounts;
    in.folders = folders_;
    in.automount = s.request->automount;
    BERTH_ASSIGN_OR_RETURN(s.mounts, PlanMounts(in));
    return s;
  }

  // Prepare that must succeed (gtest reports the exception as a failure).
  SessionSpec Spec(const std::string& name, std::vector<const char*> mounts,
                   const std::function<void(SessionRequest&)>& edit = {}) {
    auto s = Prepare(name, std::move(mounts), edit);
    if (!s.ok()) throw std::runtime_error("Prepare " + name + ": " + s.status().ToString());
    return std::move(*s);
  }

  Result<SessionInfo> Create(const SessionSpec& spec) {
    auto r = agent_->Create(spec);
    if (r.ok()) created_.push_back(spec.id);
    return r;
  }

  runtime::ExecResult Run(const std::string& id, std::vector<std::string> argv,
                          std::string stdin_data = {}) {
    runtime::ExecOptions o;
    o.argv = std::move(argv);
    o.stdin_data = std::move(stdin_data);
    o.timeout = std::chrono::seconds(60);
    auto r = agent_->Exec(id, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : runtime::ExecResult{};
  }

  std::string dir_;
  std::unique_ptr<runtime::ContainerRuntime> runtime_;
  std::unique_ptr<net::BridgeSessionNetwork> network_;  // only OwnNetworkNamespace
  std::unique_ptr<SessionAgent> agent_;
  std::vector<FolderRef> folders_;
  std::vector<std::string> created_;
};

TEST_P(RuntimeConformanceTest, MountsUserAndDelete) {
  SessionSpec spec = Spec("it-mounts", {"data", "models:ro"});
  spec.resources.memory_bytes = 256u << 20;
  auto info = Create(spec);
  ASSERT_TRUE(info.ok()) << info.status().ToString();

  auto ls = Run(spec.id, {"ls", "-A", "/home/work"});
  EXPECT_EQ(ls.exit_code, 0) << ls.stderr_data;
  for (const char* want : {"data", "models", ".local", ".linuxbrew", ".bashrc", "README-BERTH.txt"})
    EXPECT_NE(ls.stdout_data.find(want), std::string::npos) << want << " in " << ls.stdout_data;
  EXPECT_EQ(Run(spec.id, {"ls", "/home/linuxbrew/.linuxbrew"}).exit_code, 0);

  EXPECT_EQ(Run(spec.id, {"id", "-u"}).stdout_data, "1000\n");
  EXPECT_EQ(Run(spec.id, {"id", "-un"}).stdout_data, "work\n");
  EXPECT_EQ(Run(spec.id, {"hostname"}).stdout_data, "it-mounts\n");
  EXPECT_EQ(Run(spec.id, {"pwd"}).stdout_data, "/home/work\n");

  // Written inside, seen on the host, owned by the session user.
  auto w = Run(spec.id, {"sh", "-c", "echo hello > /home/work/data/out.txt"});
  EXPECT_EQ(w.exit_code, 0) << w.stderr_data;
  EXPECT_EQ(*ReadFile(dir_ + "/vol/data/out.txt"), "hello\n");
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/vol/data/out.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);

  // Folders are mounted nosuid,nodev: a planted setuid binary or device
  // node gains nothing (docker: staged by berthd, runtime/staged_binds.h).
  for (const char* target : {" /home/work/data ", " /home/work/models "}) {
    auto mi = Run(spec.id, {"grep", target, "/proc/self/mountinfo"}).stdout_data;
    EXPECT_NE(mi.find("nosuid"), std::string::npos) << mi;
    EXPECT_NE(mi.find("nodev"), std::string::npos) << mi;
  }

  // Read-only really is read-only.
  auto ro = Run(spec.id, {"sh", "-c", "echo x > /home/work/models/new.txt"});
  EXPECT_NE(ro.exit_code, 0);
  EXPECT_NE(ro.stderr_data.find("Read-only file system"), std::string::npos) << ro.stderr_data;
  EXPECT_EQ(Run(spec.id, {"cat", "/home/work/models/weights.bin"}).stdout_data, "w");

  // Environment.
  auto env = Run(spec.id, {"env"}).stdout_data;
  EXPECT_NE(env.find("BERTH_SESSION_NAME=it-mounts\n"), std::string::npos) << env;
  EXPECT_NE(env.find("BERTH_PERSISTENT_PATHS=/home/linuxbrew/.linuxbrew:/home/work/.linuxbrew:"
                     "/home/work/.local:/home/work/data:/home/work/models\n"),
            std::string::npos)
      << env;
  const std::string path =
      "/home/work/.local/bin:/home/linuxbrew/.linuxbrew/bin:/home/linuxbrew/.linuxbrew/sbin:"
      "/home/work/.linuxbrew/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  EXPECT_NE(("\n" + env).find("\nPATH=" + path + "\n"), std::string::npos) << env;
  // Login shells (after /etc/profile reset PATH) get it from the drop-in.
  for (const char* shell : {"bash", "sh"}) {
    EXPECT_EQ(Run(spec.id, {shell, "-lc", "echo $PATH $HOMEBREW_PREFIX"}).stdout_data,
              path + " /home/linuxbrew/.linuxbrew\n")
        << shell;
  }
  EXPECT_NE(
      Run(spec.id, {"cat", "/home/work/README-BERTH.txt"}).stdout_data.find("/home/work/data"),
      std::string::npos);

  // Privileges: no capabilities, no_new_privs, seccomp, sudo blocked.
  auto status =
      Run(spec.id, {"grep", "-E", "^(CapEff|CapBnd|NoNewPrivs|Seccomp):", "/proc/self/status"});
  EXPECT_NE(status.stdout_data.find("CapEff:\t0000000000000000"), std::string::npos);
  EXPECT_NE(status.stdout_data.find("CapBnd:\t0000000000000000"), std::string::npos);
  EXPECT_NE(status.stdout_data.find("NoNewPrivs:\t1"), std::string::npos);
  EXPECT_NE(status.stdout_data.find("Seccomp:\t2"), std::string::npos);
  EXPECT_NE(Run(spec.id, {"sudo", "-n", "true"}).exit_code, 0);
  EXPECT_NE(Run(spec.id, {"unshare", "-Ur", "true"}).exit_code, 0);

  // Limits (cgroup v1 files as runc binds them).
  auto mem = Run(spec.id, {"cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"});
  if (mem.exit_code == 0) {
    EXPECT_EQ(mem.stdout_data, std::to_string(256u << 20) + "\n");
  }

  // PEP 668 lifted: a --user install works without extra flags.
  ASSERT_TRUE(MkdirAll(dir_ + "/vol/data/pkg/berthdemo").ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/vol/data/pkg/berthdemo/__init__.py", "X = 42\n").ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/vol/data/pkg/setup.py",
                              "from setuptools import setup\nsetup(name='berthdemo', "
                              "version='1.0', packages=['berthdemo'])\n")
                  .ok());
  for (const char* p : {"/vol/data/pkg", "/vol/data/pkg/berthdemo"})
    ASSERT_EQ(::chown((dir_ + p).c_str(), 1000, 1000), 0);  // setup.py writes build/
  auto pip = Run(spec.id, {"pip", "install", "--user", "--no-index", "--no-build-isolation",
                           "/home/work/data/pkg"});
  EXPECT_EQ(pip.exit_code, 0) << pip.stdout_data << pip.stderr_data;
  EXPECT_EQ(Run(spec.id, {"python3", "-c", "import berthdemo; print(berthdemo.X)"}).stdout_data,
            "42\n");
  EXPECT_TRUE(fs::exists(dir_ + "/vol/.local/lib"));  // landed in the persistent .local

  // stdin and exit codes.
  EXPECT_EQ(Run(spec.id, {"cat"}, "piped").stdout_data, "piped");
  EXPECT_EQ(Run(spec.id, {"sh", "-c", "exit 7"}).exit_code, 7);
  EXPECT_EQ(Run(spec.id, {"no-such-binary"}).exit_code, 127);

  // What the runtime keeps about the container.
  auto inspected = runtime_->Inspect(spec.id);
  ASSERT_TRUE(inspected.ok()) << inspected.status().ToString();
  EXPECT_EQ(inspected->state, runtime::ContainerState::kRunning);
  EXPECT_GT(inspected->pid, 0);
  EXPECT_EQ(inspected->labels["session"], "it-mounts");
  EXPECT_EQ(inspected->labels["owner"], "alice");
  EXPECT_TRUE(agent_->Logs(spec.id).ok());

  // Delete: nothing left but the folder data.
  std::string home = info->home_dir;
  ASSERT_TRUE(agent_->Delete(spec.id).ok());
  created_.clear();
  EXPECT_FALSE(fs::exists(home));
  EXPECT_FALSE(fs::exists(agent_->SessionDir(spec.id)));
  EXPECT_FALSE(GetParam().has_traces(runtime_.get(), dir_, spec.id));
  EXPECT_EQ(runtime_->Inspect(spec.id).status().code(), Code::kNotFound);
  EXPECT_TRUE(MountPointsUnder(dir_).empty());
  EXPECT_EQ(*ReadFile(dir_ + "/vol/data/out.txt"), "hello\n");
  EXPECT_EQ(*ReadFile(dir_ + "/vol/models/weights.bin"), "w");
  EXPECT_TRUE(agent_->Delete(spec.id).ok());  // idempotent
}

std::string ReadUntil(int fd, const std::string& needle, std::chrono::seconds timeout) {
  std::string seen;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (seen.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    seen.append(buf, static_cast<size_t>(n));
  }
  return seen;
}

TEST_P(RuntimeConformanceTest, Terminal) {
  SessionSpec spec = Spec("it-tty", {"data"});
  ASSERT_TRUE(Create(spec).ok());
  auto tty = agent_->OpenTerminal(spec.id, 100, 30);
  ASSERT_TRUE(tty.ok()) << tty.status().ToString();
  int fd = (*tty)->fd();
  std::string banner = ReadUntil(fd, "$ ", std::chrono::seconds(20));
  EXPECT_NE(banner.find("/home/work/data"), std::string::npos) << banner;  // persistent paths
  std::string cmd = "echo hi-$((40+2)); stty size; id -u\n";
  ASSERT_EQ(::write(fd, cmd.data(), cmd.size()), static_cast<ssize_t>(cmd.size()));
  std::string out = ReadUntil(fd, "1000", std::chrono::seconds(20));
  EXPECT_NE(out.find("hi-42"), std::string::npos) << out;
  EXPECT_NE(out.find("30 100"), std::string::npos) << out;
  ASSERT_TRUE((*tty)->Resize(120, 40).ok());
  std::string cmd2 = "stty size\n";
  ASSERT_EQ(::write(fd, cmd2.data(), cmd2.size()), static_cast<ssize_t>(cmd2.size()));
  EXPECT_NE(ReadUntil(fd, "40 120", std::chrono::seconds(20)).find("40 120"), std::string::npos);
  ASSERT_EQ(::write(fd, "exit\n", 5), 5);
  EXPECT_TRUE((*tty)->Wait(std::chrono::seconds(10)));
  // A second terminal on the same session, killed by the handle.
  auto tty2 = agent_->OpenTerminal(spec.id, 80, 24);
  ASSERT_TRUE(tty2.ok());
  EXPECT_TRUE((*tty2)->Kill(SIGKILL).ok());
  EXPECT_TRUE((*tty2)->Wait(std::chrono::seconds(10)));
}

TEST_P(RuntimeConformanceTest, SudoAllowed) {
  SessionSpec spec = Spec("it-sudo", {});
  spec.sudo_allowed = true;
  ASSERT_TRUE(Create(spec).ok());
  auto r = Run(spec.id, {"sudo", "-n", "id", "-u"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "0\n");
  EXPECT_EQ(Run(spec.id, {"id", "-u"}).stdout_data, "1000\n");
  // The user's own processes hold no capability; only sudo (setuid) gains
  // the bounding set.
  EXPECT_NE(Run(spec.id, {"grep", "CapEff", "/proc/self/status"})
                .stdout_data.find("CapEff:\t0000000000000000"),
            std::string::npos);
  // Still no mounts even as root in the session (no CAP_SYS_ADMIN, seccomp).
  EXPECT_NE(Run(spec.id, {"sudo", "-n", "mount", "-t", "tmpfs", "x", "/mnt"}).exit_code, 0);
}

// Issue 12 (SPEC §3 "Network"): with a SessionNetwork every session has its
// own namespace (its own lo, eth0 and, for runc, sysfs), an address, the
// configured resolv.conf, and no path to another session; delete releases
// the lease and Shutdown removes the chains and the bridge.
TEST_P(RuntimeConformanceTest, OwnNetworkNamespace) {
  if (::geteuid() != 0) GTEST_SKIP() << "a session network needs root";
  net::BridgeNetworkOptions o;
  o.state_dir = dir_ + "/network";
  o.bridge = "btc" + RandomHex(4);
  o.subnet = "10.211." + std::to_string(::getpid() % 250) + ".0/24";
  o.dns = {"198.18.0.53"};
  auto network = net::BridgeSessionNetwork::Open(o);
  ASSERT_TRUE(network.ok()) << network.status().ToString();
  network_ = std::move(*network);
  auto agent = SessionAgent::Open({dir_, runtime_.get(), {dir_ + "/vol"}, network_.get()});
  ASSERT_TRUE(agent.ok());
  agent_ = std::move(*agent);

  SessionSpec a = Spec("it-net-a", {"data"});
  SessionSpec b = Spec("it-net-b", {});
  auto ia = Create(a);
  auto ib = Create(b);
  ASSERT_TRUE(ia.ok()) << ia.status().ToString();
  ASSERT_TRUE(ib.ok()) << ib.status().ToString();
  EXPECT_TRUE(ia->ip.starts_with("10.211.")) << ia->ip;
  EXPECT_NE(ia->ip, ib->ip);
  EXPECT_EQ(agent_->AddressOf(a.id), ia->ip);

  EXPECT_EQ(Run(a.id, {"ls", "/sys/class/net"}).stdout_data, "eth0\nlo\n");
  EXPECT_EQ(Run(a.id, {"cat", "/etc/resolv.conf"}).stdout_data, "nameserver 198.18.0.53\n");
  EXPECT_EQ(Run(a.id, {"python3", "-c",
                       "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); "
                       "s.listen(); socket.create_connection(s.getsockname(), 2)"})
                .exit_code,
            0);  // loopback is up
  // b listens; a cannot reach it (isolated bridge ports), b itself can.
  const std::string serve =
      "cd /tmp && (nohup python3 -m http.server 8000 >/dev/null 2>&1 &); for i in $(seq 50); do "
      "python3 -c \"import socket; socket.create_connection(('127.0.0.1', 8000), 1)\" "
      "2>/dev/null && exit 0; sleep 0.1; done; exit 1";
  ASSERT_EQ(Run(b.id, {"sh", "-c", serve}).exit_code, 0);
  const std::string probe =
      "import socket; socket.create_connection(('" + ib->ip + "', 8000), 2)";
  EXPECT_NE(Run(a.id, {"python3", "-c", probe}).exit_code, 0);
  EXPECT_EQ(Run(b.id, {"python3", "-c", probe}).exit_code, 0);

  ASSERT_TRUE(agent_->Delete(a.id).ok());
  ASSERT_TRUE(agent_->Delete(b.id).ok());
  auto leased = network_->LeasedIds();
  ASSERT_TRUE(leased.ok());
  EXPECT_TRUE(leased->empty());
  EXPECT_TRUE(network_->Shutdown().ok());
  EXPECT_FALSE(fs::exists("/sys/class/net/" + o.bridge));
  SubprocessOptions save;
  save.argv = {"iptables-save"};
  auto rules = RunSubprocess(save);
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(rules->stdout_data.find(o.bridge), std::string::npos);
}

// Issue 10 item 4 (SPEC §3 "User"): with sudo, root inside is not root
// outside, yet folder files are the session user's inside.
TEST_P(RuntimeConformanceTest, UserNamespaceRootIsNotHostRoot) {
  if (!GetParam().userns(runtime_.get()))
    GTEST_SKIP() << GetParam().name << " runs without a user namespace";
  const std::string host_file = dir_ + "/vol/data/from-host.txt";
  ASSERT_TRUE(WriteFileAtomic(host_file, "h").ok());
  ASSERT_EQ(::chown(host_file.c_str(), 1000, 1000), 0);
  SessionSpec spec = Spec("it-userns", {"data"});
  spec.sudo_allowed = true;
  auto created = Create(spec);
  ASSERT_TRUE(created.ok()) << created.status().ToString();

  auto map = Run(spec.id, {"cat", "/proc/self/uid_map"}).stdout_data;
  EXPECT_EQ(map.find("4294967295"), std::string::npos) << map;
  EXPECT_NE(map.find("100000"), std::string::npos) << map;
  EXPECT_EQ(Run(spec.id, {"sudo", "-n", "id", "-u"}).stdout_data, "0\n");
  EXPECT_EQ(Run(spec.id, {"stat", "-c", "%u:%g", "/usr/bin/sudo", "/"}).stdout_data,
            "0:0\n0:0\n");
  EXPECT_EQ(Run(spec.id, {"stat", "-c", "%u:%g", "/home/work/data/from-host.txt",
                          "/home/work/data", "/home/work"})
                .stdout_data,
            "1000:1000\n1000:1000\n1000:1000\n");

  // Root's files land as the unprivileged base id on the host disk.
  auto touch = Run(spec.id, {"sudo", "-n", "touch", "/home/work/data/rootfile"});
  EXPECT_EQ(touch.exit_code, 0) << touch.stderr_data;
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/vol/data/rootfile").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 100000u);
  EXPECT_EQ(st.st_gid, 100000u);
  // The session user writes host files as the folder owner.
  EXPECT_EQ(Run(spec.id, {"sh", "-c", "echo u >> /home/work/data/from-host.txt"}).exit_code, 0);
  EXPECT_EQ(*ReadFile(host_file), "hu\n");

  // Host-only interfaces stay closed to root inside.
  EXPECT_NE(Run(spec.id, {"sudo", "-n", "sh", "-c", "echo h > /proc/sysrq-trigger"}).exit_code, 0);
  // A privileged port of the host's network stays closed; a session in a
  // network namespace of its own (docker under --userns-remap, where Docker
  // opens low ports inside) binds only its own.
  char host_net[64] = {};
  ASSERT_GT(::readlink("/proc/self/ns/net", host_net, sizeof host_net - 1), 0);
  if (Run(spec.id, {"readlink", "/proc/self/ns/net"}).stdout_data == std::string(host_net) + "\n") {
    EXPECT_NE(Run(spec.id, {"sudo", "-n", "python3", "-c",
                            "import socket; socket.socket().bind(('127.0.0.1', 80))"})
                  .exit_code,
              0);
  }
}

TEST_P(RuntimeConformanceTest, ExecTimeout) {
  SessionSpec spec = Spec("it-timeout", {});
  ASSERT_TRUE(Create(spec).ok());
  runtime::ExecOptions o;
  o.argv = {"sleep", "60"};
  o.timeout = std::chrono::milliseconds(500);
  auto start = std::chrono::steady_clock::now();
  auto r = agent_->Exec(spec.id, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, 124);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(Run(spec.id, {"sh", "-c", "pgrep -xf 'sleep 60' | wc -l"}).stdout_data, "0\n");
}

TEST_P(RuntimeConformanceTest, ReconcileRemovesLeftoversAndAdoptsLive) {
  SessionSpec a = Spec("it-keep", {});
  SessionSpec b = Spec("it-drop", {"data"});
  ASSERT_TRUE(Create(a).ok());
  ASSERT_TRUE(Create(b).ok());
  std::string stray = agent_->SessionDir(NewUuid());
  ASSERT_TRUE(MkdirAll(stray + "/home").ok());
  std::string ghost = NewUuid();  // in the store, no container
  ReconcileReport r = agent_->Reconcile({a.id, ghost});
  EXPECT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_EQ(r.adopted, std::vector<std::string>{a.id});
  EXPECT_EQ(r.lost, std::vector<std::string>{ghost});
  EXPECT_EQ(r.removed.size(), 2u);
  EXPECT_FALSE(fs::exists(agent_->SessionDir(b.id)));
  EXPECT_FALSE(GetParam().has_traces(runtime_.get(), dir_, b.id));
  EXPECT_FALSE(fs::exists(stray));
  EXPECT_TRUE(fs::exists(dir_ + "/vol/data"));
  created_ = {a.id};
  EXPECT_EQ(Run(a.id, {"true"}).exit_code, 0);
}

TEST_P(RuntimeConformanceTest, FailuresLeaveNothingBehind) {
  // Refused before the agent is asked: by the validator, the image store and
  // the mount planner (as the manager calls them).
  EXPECT_EQ(Prepare("Bad_Name", {}).status().reason(), "invalid_session_name");
  auto reserved_env = Prepare("it-env", {}, [](SessionRequest& r) {
    r.env["BERTH_SESSION_NAME"] = "x";
  });
  EXPECT_EQ(reserved_env.status().reason(), "invalid_env");
  auto bad_image = Prepare("it-bad", {}, [](SessionRequest& r) { r.image = "no-such-image"; });
  EXPECT_EQ(bad_image.status().code(), Code::kNotFound);
  EXPECT_EQ(Prepare("it-bad3", {"data:/etc/x"}).status().reason(), "invalid_mount_target");

  auto data_mount = [](SessionSpec& s) -> PlannedMount& {
    auto it = std::find_if(s.mounts.mounts.begin(), s.mounts.mounts.end(),
                           [](const PlannedMount& m) { return m.folder == "data"; });
    if (it == s.mounts.mounts.end()) throw std::runtime_error("no data mount");
    return *it;
  };
  SessionSpec bad_mount = Spec("it-bad2", {"data"});
  data_mount(bad_mount).host_path = dir_ + "/vol/does-not-exist";
  auto r = agent_->Create(bad_mount);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(fs::exists(agent_->SessionDir(bad_mount.id)));
  EXPECT_FALSE(GetParam().has_traces(runtime_.get(), dir_, bad_mount.id));
  EXPECT_TRUE(MountPointsUnder(dir_).empty());

  // The agent's own guard: bind sources only from its volume roots.
  SessionSpec outside = Spec("it-bad4", {"data"});
  data_mount(outside).host_path = "/etc";
  EXPECT_EQ(agent_->Create(outside).status().reason(), "mount_source_outside_volumes");
  EXPECT_FALSE(fs::exists(agent_->SessionDir(outside.id)));
  auto list = runtime_->List();
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_P(RuntimeConformanceTest, ContainerRemovedBehindTheRuntimesBack) {
  SessionSpec spec = Spec("it-gone", {"data"});
  ASSERT_TRUE(Create(spec).ok());
  GetParam().remove_behind_back(runtime_.get(), dir_, spec.id);
  // Either gone or reported as not running (runc keeps its bundle).
  auto info = runtime_->Inspect(spec.id);
  if (info.ok()) {
    EXPECT_NE(info->state, runtime::ContainerState::kRunning);
  } else {
    EXPECT_EQ(info.status().code(), Code::kNotFound) << info.status().ToString();
  }
  auto list = runtime_->List();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  for (const auto& c : *list) {
    if (c.id == spec.id) {
      EXPECT_NE(c.state, runtime::ContainerState::kRunning);
    }
  }
  runtime::ExecOptions o;
  o.argv = {"true"};
  auto r = agent_->Exec(spec.id, o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().code() == Code::kNotFound ||
              r.status().code() == Code::kFailedPrecondition)
      << r.status().ToString();
  ReconcileReport rec = agent_->Reconcile({spec.id});
  EXPECT_TRUE(rec.adopted.empty());
  EXPECT_EQ(rec.lost, std::vector<std::string>{spec.id});
  EXPECT_TRUE(agent_->Delete(spec.id).ok());
  created_.clear();
  EXPECT_EQ(runtime_->Inspect(spec.id).status().code(), Code::kNotFound);
  EXPECT_FALSE(GetParam().has_traces(runtime_.get(), dir_, spec.id));
  EXPECT_TRUE(agent_->Delete(spec.id).ok());
}

TEST_P(RuntimeConformanceTest, MissingContainer) {
  const std::string id = NewUuid();
  EXPECT_EQ(runtime_->Inspect(id).status().code(), Code::kNotFound);
  runtime::ExecOptions o;
  o.argv = {"true"};
  EXPECT_EQ(runtime_->Exec(id, o).status().code(), Code::kNotFound);
  runtime::TtyOptions t;
  t.argv = {"sh"};
  EXPECT_EQ(runtime_->ExecTty(id, t).status().code(), Code::kNotFound);
  EXPECT_EQ(runtime_->Logs(id, 100).status().code(), Code::kNotFound);
  EXPECT_TRUE(runtime_->Delete(id).ok());
  EXPECT_EQ(runtime_->Inspect("bad/id").status().code(), Code::kInvalidArgument);
}

TEST_P(RuntimeConformanceTest, CreateTwiceIsAlreadyExists) {
  SessionSpec spec = Spec("it-twice", {});
  auto info = Create(spec);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  runtime::ContainerSpec c;
  c.id = spec.id;
  c.rootfs = SharedImages()->Get("python")->rootfs;
  c.hostname = "x";
  EXPECT_EQ(runtime_->Create(c).code(), Code::kAlreadyExists);
  EXPECT_EQ(Run(spec.id, {"true"}).exit_code, 0);  // the first one is untouched
}

TEST_P(RuntimeConformanceTest, ConcurrentExecsAndLargeOutput) {
  SessionSpec spec = Spec("it-busy", {});
  ASSERT_TRUE(Create(spec).ok());
  std::vector<std::thread> threads;
  std::vector<runtime::ExecResult> results(6);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      runtime::ExecOptions o;
      o.argv = {"sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x; echo err-$0 >&2; exit $0",
                std::to_string(i)};
      o.timeout = std::chrono::seconds(60);
      auto r = agent_->Exec(spec.id, o);
      if (r.ok()) results[i] = std::move(*r);
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].exit_code, static_cast<int>(i));
    EXPECT_EQ(results[i].stdout_data, std::string(3000000, 'x')) << i;
    EXPECT_EQ(results[i].stderr_data, "err-" + std::to_string(i) + "\n");
  }
}

// A streamed exec (ExecOptions::on_output): bytes reach the callback as
// they come, stdout and stderr apart, nothing is captured, and a command
// that is not there is 127 with the runtime's message on stderr.
TEST_P(RuntimeConformanceTest, StreamedExec) {
  SessionSpec spec = Spec("it-stream", {});
  ASSERT_TRUE(Create(spec).ok());
  std::string out, err;
  size_t calls = 0;
  runtime::ExecOptions o;
  o.argv = {"sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x; echo oops >&2; exit 5"};
  o.timeout = std::chrono::seconds(60);
  o.on_output = [&](runtime::ExecStream s, std::string_view bytes) {
    ++calls;
    (s == runtime::ExecStream::kStdout ? out : err).append(bytes);
    return true;
  };
  auto r = agent_->Exec(spec.id, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 5);
  EXPECT_EQ(out, std::string(3000000, 'x'));
  EXPECT_EQ(err, "oops\n");
  EXPECT_GT(calls, 2u);
  EXPECT_EQ(r->stdout_data, "");
  EXPECT_EQ(r->stderr_data, "");

  out.clear();
  err.clear();
  o.argv = {"nosuchcmd"};
  r = agent_->Exec(spec.id, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 127);
  EXPECT_EQ(out, "");
  EXPECT_NE(err, "");
}

// A callback that refuses (the client went away) stops the command.
TEST_P(RuntimeConformanceTest, StreamedExecStopsWhenRefused) {
  SessionSpec spec = Spec("it-refuse", {});
  ASSERT_TRUE(Create(spec).ok());
  runtime::ExecOptions o;
  o.argv = {"sh", "-c", "while :; do echo spam; done"};
  o.timeout = std::chrono::seconds(60);
  o.on_output = [](runtime::ExecStream, std::string_view) { return false; };
  auto start = std::chrono::steady_clock::now();
  auto r = agent_->Exec(spec.id, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->aborted);
  EXPECT_FALSE(r->timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  EXPECT_EQ(Run(spec.id, {"sh", "-c", "pgrep -f 'echo [s]pam' | wc -l"}).stdout_data,
            "0\n");
}

INSTANTIATE_TEST_SUITE_P(Drivers, RuntimeConformanceTest,
                         ::testing::Values(RuncDriver(), DockerDriver()),
                         [](const ::testing::TestParamInfo<Driver>& p) { return p.param.name; });

}  // namespace
}  // namespace berth::agent
