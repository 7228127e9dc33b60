// berthd: the Berth daemon. With no role it runs everything in one process
// (manager + agent + storage; the metadata store embedded SQLite, or the
// PostgreSQL that --store names). Wiring only: the behaviour
// lives in the libraries.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>
#include <spdlog/spdlog.h>

#include "cmd/berthd_cluster.h"
#include "remote/hub_app_backend.h"
#include "common/sd_notify.h"
#include "common/unique_fd.h"
#include "http/access_log.h"
#include "http/router.h"
#include "http/server.h"
#include "http/tls_context.h"
#include "agent/session_agent.h"
#include "apps/app_registry.h"
#include "apps/proxy_server.h"
#include "manager/app_service.h"
#include "images/image_store.h"
#include "manager/rest/api_routes.h"
#include "manager/dotfile_service.h"
#include "manager/snapshot_scheduler.h"
#include "manager/snapshot_service.h"
#include "manager/download_links.h"
#include "manager/event_bus.h"
#include "manager/event_relay.h"
#include "manager/local_session_host.h"
#include "manager/session_service.h"
#include "manager/share_service.h"
#include "manager/static_files.h"
#include "manager/user_service.h"
#include "net/bridge_network.h"
#include "net/resolv_conf.h"
#include "remote/node_agent_main.h"
#include "remote/node_setup.h"
#include "runtime/docker_runtime.h"
#include "runtime/runc_runtime.h"
#include "manager/auth_service.h"
#include "manager/crypto.h"
#include "manager/file_modes.h"
#include "manager/config.h"
#include "manager/daemon_metrics.h"
#include "manager/folder_service.h"
#include "manager/log_format.h"
#include "manager/readiness.h"
#include "manager/volume_set.h"
#include "storage/volume_factory.h"
#include "store/store_factory.h"

namespace berth {
namespace {

int Fail(const Status& s) {
  spdlog::error("{}", s.message());
  std::fprintf(stderr, "error: %s\n", s.message().c_str());
  return 1;
}

// Each connection, terminal and open file costs a descriptor; the default
// soft limit (often 1024) would let a few hundred clients starve berthd.
void RaiseFileLimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
  lim.rlim_cur = lim.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) spdlog::warn("cannot raise RLIMIT_NOFILE");
}

// Paths that default relative to the data dir or to the source tree the
// binary was built in (build/src/cmd/berthd → ../../.. is the repo).
void ApplyDefaults(manager::DaemonConfig& cfg, const char* argv0) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (ec) exe = fs::absolute(argv0);
  fs::path repo = exe.parent_path().parent_path().parent_path().parent_path();
  auto first_existing = [](std::initializer_list<fs::path> paths) {
    for (const auto& p : paths) {
      std::error_code e;
      if (fs::exists(p, e)) return p.string();
    }
    return paths.begin()->string();
  };
  if (cfg.images_dir.empty()) cfg.images_dir = cfg.data_dir + "/images";
  if (cfg.recipes_dir.empty()) {
    cfg.recipes_dir = first_existing({repo / "recipes", "/usr/share/berth/recipes"});
  }
  if (cfg.web_root.empty()) cfg.web_root = first_existing({repo / "web" / "dist", "/usr/share/berth/web"});
  if (cfg.runc_root == "/run/berth/runc" && cfg.data_dir != manager::DefaultDataDir()) {
    // Each data dir gets its own runc root, so that two daemons (tests)
    // never reconcile away each other's containers.
    cfg.runc_root = "/run/berth/" + manager::Sha256Hex(cfg.data_dir).substr(0, 16) + "/runc";
  }
  if (cfg.manager_name.empty()) {
    // The host and the data dir: stable across restarts, and distinct for
    // two managers on one host (each has its own data dir and containers).
    char host[256] = {};
    (void)::gethostname(host, sizeof host - 1);
    cfg.manager_name = std::string(host) + ":" + cfg.data_dir;
  }
}

// Blocks the signals that stop the daemon in every thread; main waits for
// them with sigwait.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return set;
}

images::ImageStoreOptions ImageOptions(const manager::DaemonConfig& cfg) {
  images::ImageStoreOptions o;
  o.root = cfg.images_dir;
  o.recipes_dir = cfg.recipes_dir;
  return o;
}

// `berthd build-image RECIPE`: builds (or keeps) an image and exits.
int BuildImage(const manager::DaemonConfig& cfg, const std::string& recipe, bool replace) {
  auto images = images::ImageStore::Open(ImageOptions(cfg));
  if (!images.ok()) return Fail(images.status());
  if (auto have = (*images)->Get(recipe); have.ok() && !replace) {
    // Kept while the recipe is the one it was built from; rebuilt otherwise.
    auto digest = (*images)->RecipeDigest(recipe);
    if (!digest.ok()) return Fail(digest.status());
    if (*digest == have->digest) {
      std::printf("image %s is already built (%s)\n", recipe.c_str(), have->created_at.c_str());
      return 0;
    }
    std::printf("recipe %s changed since image %s was built (%s): rebuilding\n", recipe.c_str(),
                recipe.c_str(), have->created_at.c_str());
    replace = true;
  }
  std::printf("building image %s with mmdebstrap into %s (a few minutes)...\n", recipe.c_str(),
              cfg.images_dir.c_str());
  std::fflush(stdout);
  images::BuildOptions opts;
  opts.replace = replace;
  auto built = (*images)->Build(recipe, opts);
  if (!built.ok()) return Fail(built.status());
  std::printf("built image %s (%llu bytes)\n", built->name.c_str(),
              static_cast<unsigned long long>(built->size_bytes));
  return 0;
}

// What berthd shares with `berthd node-agent` (remote/node_setup.h).
remote::NodeSettings NodeSettingsOf(const manager::DaemonConfig& cfg) {
  remote::NodeSettings s;
  s.data_dir = cfg.data_dir;
  s.runc_root = cfg.runc_root;
  s.userns_base = cfg.userns_base;
  s.userns_size = cfg.userns_size;
  s.container_log_max_bytes = cfg.limits.container_log_max_bytes;
  s.session_bridge = cfg.session_bridge;
  s.session_subnet = cfg.session_subnet;
  s.session_dns = cfg.session_dns;
  return s;
}

// The container runtime driver named by the config (SPEC §3 "Runtime drivers").
Result<std::unique_ptr<runtime::ContainerRuntime>> OpenRuntime(const manager::DaemonConfig& cfg) {
  if (cfg.runtime == "runc") {
    auto r = runtime::RuncRuntime::Open(remote::RuncOptionsFor(NodeSettingsOf(cfg)));
    if (!r.ok()) return r.status();
    return std::unique_ptr<runtime::ContainerRuntime>(std::move(*r));
  }
  if (cfg.runtime == "docker") {
    runtime::DockerOptions o;
    o.socket_path = cfg.docker_socket;
    // Stable per data dir, so a restart adopts this deployment's containers
    // and two deployments on one daemon never touch each other's.
    o.instance = manager::Sha256Hex(cfg.data_dir).substr(0, 16);
    o.log_max_bytes = cfg.limits.container_log_max_bytes;
    o.binds_dir = cfg.data_dir + "/containers";  // folder binds staged nosuid,nodev
    if (cfg.userns_size > 0) o.userns_size = cfg.userns_size;
    auto r = runtime::DockerRuntime::Open(o);
    if (!r.ok()) return r.status();
    if (const auto& range = (*r)->userns()) {
      spdlog::info("docker: the daemon remaps user namespaces (container uid 0 = host uid {})",
                   range->base);
    } else {
      spdlog::warn(
          "docker: the daemon at {} runs without --userns-remap: root in a session (sudo) is "
          "host root (docs/operations.md, \"User namespaces\")",
          cfg.docker_socket);
    }
    return std::unique_ptr<runtime::ContainerRuntime>(std::move(*r));
  }
  return InvalidArgument("runtime must be 'runc' or 'docker', not '" + cfg.runtime + "'");
}

int Serve(const manager::DaemonConfig& cfg, const sigset_t& stop_signals) {
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  manager::ApplyLogFormat(cfg.log_format);
  auto listen = manager::ParseListen(cfg.listen);
  if (!listen.ok()) return Fail(listen.status());
  std::optional<manager::ListenAddress> metrics_listen;
  if (!cfg.metrics_listen.empty()) {
    auto m = manager::ParseListen(cfg.metrics_listen);
    if (!m.ok()) return Fail(m.status());
    metrics_listen = *m;
  }
  auto apps_listen = manager::AppsListen(cfg);
  if (!apps_listen.ok()) return Fail(apps_listen.status());
  RaiseFileLimit();

  // Modes first (file_modes.h): the database must never exist world-readable.
  // (No berth.db placeholder when the store is elsewhere: --store.)
  if (Status st = manager::SecureDataDir(cfg.data_dir, cfg.store.empty()); !st.ok()) return Fail(st);
  // One berthd per data dir.
  std::string lock_path = cfg.data_dir + "/berthd.lock";
  UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock || ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    return Fail(FailedPrecondition("another berthd is using data dir " + cfg.data_dir));
  }

  auto opened = store::OpenStore(cfg.store, cfg.data_dir);
  if (!opened.ok()) return Fail(opened.status());
  spdlog::info("metadata store: {}", opened->description);
  spdlog::info("manager name: {}", cfg.manager_name);
  store::Store& db = *opened->store;
  store::Coordination& coordination = *opened->coordination;
  // Managers sharing the store (SPEC §9) take turns at the start-up work
  // done for all: the first admin and the reconciliation below.
  auto startup = coordination.Lock("startup");
  if (!startup.ok()) return Fail(startup.status());

  auto volumes = manager::OpenVolumes(cfg);
  if (!volumes.ok()) return Fail(volumes.status());

  manager::AuditLog audit(cfg.data_dir + "/audit.log");
  manager::AuthService auth(db, &audit, cfg.login_code_ttl_s);
  const std::string admin_token_path = cfg.data_dir + "/admin.token";
  auto admin_token = auth.Bootstrap(admin_token_path);
  if (!admin_token.ok()) return Fail(admin_token.status());

  auto images = images::ImageStore::Open(ImageOptions(cfg));
  if (!images.ok()) return Fail(images.status());
  auto runtime = OpenRuntime(cfg);
  if (!runtime.ok()) return Fail(runtime.status());
  auto network = net::BridgeSessionNetwork::Open(remote::NetworkOptionsFor(NodeSettingsOf(cfg)));
  if (!network.ok()) return Fail(network.status());
  // A start that fails from here on takes its bridge and chains with it
  // (kept, as at a normal exit, while adopted sessions hold addresses).
  auto fail_with_network = [&network](const Status& s) {
    (void)(*network)->Shutdown();
    return Fail(s);
  };
  auto agent = agent::SessionAgent::Open(
      {cfg.data_dir, runtime->get(), volumes->roots, network->get(), cfg.scratch_tmpfs, {}});
  if (!agent.ok()) return fail_with_network(agent.status());

  manager::EventBus events;
  manager::FolderServiceDeps folder_deps;
  folder_deps.store = &db;
  folder_deps.volumes = volumes->by_name;
  folder_deps.audit = &audit;
  folder_deps.events = &events;
  folder_deps.coordination = &coordination;
  manager::FolderService folders(std::move(folder_deps));
  manager::UserQuota quota(db, folders, cfg.default_user_quota_bytes);
  manager::SnapshotService snapshots(folders, &quota);
  manager::UserService users(db, auth, audit, cfg.limits, &quota);
  manager::ShareService shares(db, folders, audit);
  manager::DotfileService dotfiles(db);
  manager::LocalSessionHost local_host(agent->get());
  std::unique_ptr<ClusterParts> cluster;  // --cluster slurm
  if (!cfg.cluster.empty()) {
    auto opened_cluster = OpenCluster(cfg, db, volumes->roots);
    if (!opened_cluster.ok()) return fail_with_network(opened_cluster.status());
    cluster = std::move(*opened_cluster);
  }
  manager::SessionHost* host = cluster ? static_cast<manager::SessionHost*>(cluster->host.get())
                                       : &local_host;
  manager::SessionService sessions(
      {&db, &folders, host, images->get(), &events, cfg.default_image, cfg.limits,
       cfg.manager_name});
  folders.SetUseChecker(&sessions);
  shares.SetRevoker(&sessions);

  folders.RecoverClones();
  folders.ReconcileQuotas();
  manager::SnapshotScheduler snapshot_scheduler(db, folders, snapshots, &coordination);
  agent::ReconcileReport rep = sessions.Reconcile();
  spdlog::info("reconciled sessions: {} adopted, {} lost, {} leftovers removed, {} errors",
               rep.adopted.size(), rep.lost.size(), rep.removed.size(), rep.errors.size());
  for (const auto& e : rep.errors) spdlog::warn("reconcile: {}", e);
  if (cluster) cluster->host->Start();
  startup->reset();
  manager::EventRelay relay(events, coordination);
  if (Status st = relay.Start(); !st.ok()) return Fail(st);

  apps::AppRegistry app_registry(runtime->get());
  // Apps of cluster sessions: through their node agents (remote/hub_app_backend.h).
  std::unique_ptr<remote::HubAppBackend> remote_apps;
  if (cluster) remote_apps = std::make_unique<remote::HubAppBackend>(cluster->hub.get());
  manager::AppService app_service({&db, &auth, &folders.authorizer(), &sessions,
                                   images->get(), &app_registry, remote_apps.get()});
  apps::ProxyOptions popt;
  popt.host = apps_listen->host;
  popt.port = apps_listen->port;
  popt.domain = apps_listen->domain;
  // https on the apps origin too, with the API's certificate (in
  // wildcard-host mode it must cover *.DOMAIN: docs/operations.md "Apps").
  const bool tls = !cfg.tls_cert.empty();
  if (tls) {
    auto ctx = http::MakeServerTlsContext(cfg.tls_cert, cfg.tls_key);
    if (!ctx.ok()) return fail_with_network(ctx.status());
    popt.tls = *ctx;
  }
  apps::ProxyServer apps_server(popt, &app_service);
  if (Status st = apps_server.Start(); !st.ok()) return fail_with_network(st);

  manager::DownloadLinks links;
  manager::DaemonMetrics metrics;
  manager::Readiness readiness({&db, runtime->get(), volumes->by_name});
  http::AccessLog access_log(cfg.log_format == "json");
  http::Router router;
  manager::ApiContext api;
  api.auth = &auth;
  api.authz = &folders.authorizer();
  api.folders = &folders;
  api.links = &links;
  api.users = &users;
  api.quota = &quota;
  api.shares = &shares;
  api.snapshots = &snapshots;
  api.dotfiles = &dotfiles;
  api.sessions = &sessions;
  api.images = images->get();
  api.events = &events;
  api.exec_limits = {cfg.exec_default_timeout_s, cfg.exec_max_timeout_s};
  api.apps = &app_service;
  api.apps_endpoint = {apps_listen->host, apps_server.port(), tls, apps_listen->domain};
  api.metrics = &metrics;
  api.readiness = &readiness;
  manager::RegisterApi(router, api);
  router.SetFallback(manager::StaticFiles(cfg.web_root));

  http::ServerOptions sopt;
  sopt.host = listen->host;
  sopt.port = listen->port;
  sopt.max_connections = cfg.max_connections;
  sopt.worker_threads = static_cast<int>(cfg.worker_threads);
  sopt.max_connections_per_client = cfg.max_connections_per_client;
  sopt.tls_cert_file = cfg.tls_cert;
  sopt.tls_key_file = cfg.tls_key;
  sopt.trusted_proxies = cfg.trusted_proxies;
  sopt.observers = {&metrics.requests(), &access_log};
  http::Server server(sopt, router);
  metrics.SetSources({&db, [&server] { return server.pool_stats(); }});
  if (Status st = server.Start(); !st.ok()) return fail_with_network(st);

  // --metrics-listen: GET /metrics without credentials, on its own
  // listener (meant for a scraper on a private address), nothing else.
  http::Router metrics_router;
  manager::RegisterMetricsListenerRoutes(metrics_router, metrics);
  std::unique_ptr<http::Server> metrics_server;
  if (metrics_listen) {
    http::ServerOptions mopt;
    mopt.host = metrics_listen->host;
    mopt.port = metrics_listen->port;
    mopt.io_threads = 1;
    mopt.worker_threads = 2;
    mopt.max_connections = 64;
    mopt.max_connections_per_client = 16;
    metrics_server = std::make_unique<http::Server>(mopt, metrics_router);
    if (Status st = metrics_server->Start(); !st.ok()) return fail_with_network(st);
    spdlog::info("metrics on http://{}:{}/metrics", metrics_listen->host, metrics_server->port());
  }

  std::string url = std::string(cfg.tls_cert.empty() ? "http" : "https") + "://" + listen->host + ":" + std::to_string(server.port());
  spdlog::info("berthd {} listening on {} (data dir {}); apps on {}{}:{}", BERTH_VERSION, url,
               cfg.data_dir, apps_listen->domain.empty() ? "" : "*." + apps_listen->domain + " at ",
               apps_listen->host, apps_server.port());
  std::printf("berthd listening on %s (runtime %s)\n", url.c_str(), cfg.runtime.c_str());
  // Never the token itself (SPEC §4): where it is, and a one-time link.
  std::printf("admin API token: %s\n", admin_token_path.c_str());
  if (auto admin = auth.AuthenticateToken(*admin_token); admin.ok()) {
    std::printf("sign in to the web UI (one-time link, valid %lld s): %s/login?code=%s\n",
                static_cast<long long>(auth.login_code_ttl_s()), url.c_str(),
                auth.MintLoginCode(admin->user_id).c_str());
  }
  std::fflush(stdout);
  snapshot_scheduler.Start();
  {
    // Lets tests and scripts find the bound port (with --listen HOST:0).
    FILE* f = std::fopen((cfg.data_dir + "/berthd.addr").c_str(), "w");
    if (f) {
      std::fprintf(f, "%s\n", url.c_str());
      std::fclose(f);
    }
  }

  // Type=notify units (packaging/debian/berthd.service) count as started
  // only now that the API and apps listeners accept connections.
  if (Status st = NotifyServiceManager("READY=1\nSTATUS=listening on " + url); !st.ok()) {
    spdlog::warn("service manager readiness: {}", st.message());
  }

  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("received signal {}, stopping", sig);
  (void)NotifyServiceManager("STOPPING=1");
  snapshot_scheduler.Stop();
  cluster.reset();  // the agents' listener and the poller
  events.CloseAll();
  server.Stop();
  if (metrics_server) metrics_server->Stop();
  relay.Stop();
  apps_server.Stop();
  if (cfg.runtime == "runc") {
    // Leave no empty state dirs in /run: these fail (harmlessly) while
    // sessions still run, which the next start adopts.
    std::filesystem::path runc_root(cfg.runc_root);
    ::rmdir(runc_root.c_str());
    ::rmdir(runc_root.parent_path().c_str());
  }
  if (Status st = (*network)->Shutdown(); !st.ok()) spdlog::info("session network: {}", st.message());
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace berth

namespace {

// Flags that override a field of `S` (the config file's value) only when
// given, so they are applied after the file is read.
template <typename S>
class OverrideFlags {
 public:
  void ApplyTo(S& s) const {
    for (const auto& apply : apply_) apply(s);
  }

 protected:
  template <typename T>
  void Add(CLI::App& app, const char* flag, T S::*field, const char* help) {
    auto value = std::make_shared<std::optional<T>>();
    app.add_option(flag, *value, help);
    apply_.push_back([value, field](S& s) {
      if (*value) s.*field = **value;
    });
  }

 private:
  std::vector<std::function<void(S&)>> apply_;
};

// The session-limit flags (docs/operations.md).
class LimitFlags : public OverrideFlags<berth::manager::LimitSettings> {
 public:
  explicit LimitFlags(CLI::App& app) {
    using L = berth::manager::LimitSettings;
    Add(app, "--default-cpu", &L::default_cpu, "CPUs a session gets when it asks for none");
    Add(app, "--max-cpu", &L::max_cpu, "most CPUs a session may ask for (default: all)");
    Add(app, "--default-memory-bytes", &L::default_memory_bytes,
        "memory of a session that asks for none");
    Add(app, "--max-memory-bytes", &L::max_memory_bytes, "most memory a session may ask for");
    Add(app, "--default-pids", &L::default_pids, "pids limit of a session");
    Add(app, "--max-pids", &L::max_pids, "most pids a user's override may allow");
    Add(app, "--default-scratch-bytes", &L::default_scratch_bytes,
        "scratch home + writable layer of a session (btrfs or --scratch-tmpfs)");
    Add(app, "--max-scratch-bytes", &L::max_scratch_bytes, "most scratch a session may have");
    Add(app, "--max-sessions-per-user", &L::max_sessions, "live sessions per user");
    Add(app, "--max-execs-per-user", &L::max_execs, "concurrent execs per user");
    Add(app, "--container-log-max-bytes", &L::container_log_max_bytes,
        "cap of each session's container log");
  }
};

// The --cluster slurm flags (docs/operations.md "Slurm cluster").
class ClusterFlags : public OverrideFlags<berth::manager::DaemonConfig> {
 public:
  explicit ClusterFlags(CLI::App& app) {
    using C = berth::manager::DaemonConfig;
    Add(app, "--cluster", &C::cluster, "run sessions as jobs of a cluster: slurm");
    Add(app, "--slurm-rest", &C::slurm_rest, "slurmrestd URL (with --cluster slurm)");
    Add(app, "--slurm-jwt-file", &C::slurm_jwt_file, "file holding slurmrestd's JWT");
    Add(app, "--slurm-user", &C::slurm_user, "Slurm user the JWT is for; jobs run as this user");
    Add(app, "--agent-listen", &C::agent_listen,
        "HOST:PORT where node agents dial this manager (an address the nodes reach)");
    Add(app, "--node-data-dir", &C::node_data_dir,
        "the node agent's data dir on the nodes (default DATA_DIR/nodes)");
    Add(app, "--node-berthd", &C::node_berthd, "berthd's path on the nodes (default: this one)");
    Add(app, "--session-lifetime", &C::session_lifetime_s,
        "a cluster session's time limit in seconds (default 0: the partition's)");
    Add(app, "--cluster-poll-ms", &C::cluster_poll_ms,
        "how often the sessions' jobs are read from Slurm (default 10000)");
    Add(app, "--agent-grace-ms", &C::agent_grace_ms,
        "how long a session's node agent may be away before it is lost (default 30000)");
  }
};

}  // namespace

int main(int argc, char** argv) {
  using berth::manager::DaemonConfig;
  // `berthd node-agent ...`: a role with flags of its own (docs/cluster.md).
  if (argc > 1 && std::string(argv[1]) == "node-agent") {
    return berth::remote::NodeAgentMain(argc - 1, argv + 1);
  }
  sigset_t stop_signals = berth::BlockStopSignals();

  CLI::App app{"berthd: the Berth compute-session daemon"};
  app.set_version_flag("--version", std::string("berthd ") + BERTH_VERSION);
  std::string config_path, data_dir, listen, runtime, docker_socket, log_level;
  app.add_option("--config", config_path, "TOML config file");
  app.add_option("--data-dir", data_dir, "data directory (database, volumes, images)");
  std::string store_url;
  app.add_option("--store", store_url,
                 "metadata store: postgresql://... (default: SQLite in DATA_DIR/berth.db)");
  app.add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:8470)");
  std::string manager_name;
  app.add_option("--manager-name", manager_name,
                 "this manager's name among several on one store (default: the host name)");
  std::string apps_listen;
  app.add_option("--apps-listen", apps_listen,
                 "HOST:PORT of the apps origin (default: the --listen host, its port + 1), or "
                 "'*.DOMAIN[:PORT]': one host per app, <app>-<session id>.DOMAIN, on the --listen host");
  app.add_option("--runtime", runtime, "container runtime: runc or docker");
  app.add_option("--docker-socket", docker_socket, "Docker Engine socket for --runtime docker");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
  std::string log_format, metrics_listen;
  app.add_option("--log-format", log_format, "log lines as text (default) or json");
  app.add_option("--metrics-listen", metrics_listen,
                 "HOST:PORT serving GET /metrics without credentials (default: none)");
  std::string images_dir, web_root;
  app.add_option("--images-dir", images_dir, "image store directory (default DATA_DIR/images)");
  app.add_option("--web-root", web_root, "directory of the built web UI");
  std::string tls_cert, tls_key;
  std::vector<std::string> trusted_proxies;
  app.add_option("--tls-cert", tls_cert, "PEM certificate chain: serve https (with --tls-key)");
  app.add_option("--tls-key", tls_key, "PEM private key for --tls-cert (not readable by others)");
  app.add_option("--trusted-proxy", trusted_proxies,
                 "CIDR of a reverse proxy whose X-Forwarded-For/-Proto are believed (repeatable)");
  std::string session_subnet, session_bridge;
  std::vector<std::string> session_dns;
  app.add_option("--session-subnet", session_subnet,
                 "CIDR the sessions' addresses come from (default 10.213.0.0/16)");
  app.add_option("--session-dns", session_dns,
                 "DNS server for sessions' resolv.conf (repeatable or a comma list; "
                 "default: the host's non-loopback nameservers)");
  app.add_option("--session-bridge", session_bridge, "host bridge of the sessions (default berth0)");
  std::vector<std::string> volume_flags;
  app.add_option("--volume", volume_flags,
                 "NAME=PATH: a storage volume (repeatable; btrfs detected)");
  LimitFlags limit_flags(app);
  ClusterFlags cluster_flags(app);
  bool scratch_tmpfs = false;
  app.add_flag("--scratch-tmpfs", scratch_tmpfs,
               "bound each session's scratch by a tmpfs of --default-scratch-bytes (RAM) where "
               "the data dir is not on btrfs");
  std::string recipe = "python";
  bool replace = false;
  CLI::App* build = app.add_subcommand("build-image", "build a session image from a recipe and exit");
  build->add_option("recipe", recipe, "recipe name (recipes/NAME.toml)");
  build->add_flag("--replace", replace, "rebuild even if the image exists");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  DaemonConfig cfg;
  cfg.data_dir = berth::manager::DefaultDataDir();
  if (!config_path.empty()) {
    if (auto st = berth::manager::LoadConfigFile(config_path, cfg); !st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.message().c_str());
      return 2;
    }
  }
  berth::manager::ApplyEnvironment(cfg);
  if (!data_dir.empty()) cfg.data_dir = data_dir;
  if (!store_url.empty()) cfg.store = store_url;
  if (!manager_name.empty()) cfg.manager_name = manager_name;
  if (!listen.empty()) cfg.listen = listen;
  if (!apps_listen.empty()) cfg.apps_listen = apps_listen;
  if (!runtime.empty()) cfg.runtime = runtime;
  if (!docker_socket.empty()) cfg.docker_socket = docker_socket;
  if (!log_level.empty()) cfg.log_level = log_level;
  if (!log_format.empty()) cfg.log_format = log_format;
  if (!metrics_listen.empty()) cfg.metrics_listen = metrics_listen;
  if (auto st = berth::manager::CheckLogFormat(cfg.log_format); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.message().c_str());
    return 2;
  }
  if (!images_dir.empty()) cfg.images_dir = images_dir;
  if (!web_root.empty()) cfg.web_root = web_root;
  if (!tls_cert.empty()) cfg.tls_cert = tls_cert;
  if (!tls_key.empty()) cfg.tls_key = tls_key;
  if (!trusted_proxies.empty()) cfg.trusted_proxies = trusted_proxies;
  if (cfg.tls_cert.empty() != cfg.tls_key.empty()) {
    std::fprintf(stderr, "error: --tls-cert and --tls-key go together (give both or neither)\n");
    return 2;
  }
  if (!session_subnet.empty()) cfg.session_subnet = session_subnet;
  if (!session_bridge.empty()) cfg.session_bridge = session_bridge;
  if (!session_dns.empty()) cfg.session_dns = session_dns;
  for (const auto& flag : volume_flags) {
    auto v = berth::storage::ParseVolumeFlag(flag);
    if (!v.ok()) {
      std::fprintf(stderr, "error: %s\n", v.status().message().c_str());
      return 2;
    }
    cfg.volumes.push_back({v->first, v->second});
  }
  limit_flags.ApplyTo(cfg.limits);
  cluster_flags.ApplyTo(cfg);
  if (auto st = berth::manager::CheckClusterConfig(cfg); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.message().c_str());
    return 2;
  }
  if (scratch_tmpfs) cfg.scratch_tmpfs = true;
  if (auto st = berth::manager::ResolveExecCap(cfg); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.message().c_str());
    return 2;
  }
  if (auto st = berth::manager::CheckLimitSettings(cfg.limits); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.message().c_str());
    return 2;
  }
  cfg.data_dir = std::filesystem::absolute(cfg.data_dir).lexically_normal().string();
  berth::ApplyDefaults(cfg, argv[0]);
  if (build->parsed()) return berth::BuildImage(cfg, recipe, replace);

  return berth::Serve(cfg, stop_signals);
}
