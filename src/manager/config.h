// DaemonConfig: berthd's settings, from (lowest to highest precedence)
// built-in defaults, the TOML file given by --config, BERTH_* environment
// variables, and command-line flags (applied by cmd/berthd_main.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "manager/session_limits.h"

namespace berth::manager {

// A storage volume besides the built-in `local` (SPEC §2 Volumes): from
// `--volume NAME=PATH` or a `[[volume]]` table {name, path}.
struct VolumeConfig {
  std::string name;
  std::string path;
};

struct DaemonConfig {
  std::string data_dir;  // see DefaultDataDir
  // The metadata store (SPEC §9; store/store_factory.h): "" = SQLite at
  // DATA_DIR/berth.db, or "postgresql://..." (may carry a password: log it
  // only through store::MaskUrlPassword).
  std::string store;
  // This manager's name among several on one store (SessionServiceDeps::
  // manager_name); "" = the host name.
  std::string manager_name;
  std::string listen = "127.0.0.1:8470";
  // The apps origin (SPEC §3 "Apps"): HOST:PORT, or '*.DOMAIN[:PORT]' (one
  // origin per app); "" = the API's host and port + 1 (AppsListen).
  std::string apps_listen;
  std::string runtime = "runc";  // "runc" | "docker"
  std::string docker_socket = "/var/run/docker.sock";
  std::string default_image = "python";
  std::string log_level = "info";
  // "text" | "json" (manager/log_format.h); the access log follows it.
  std::string log_format = "text";
  // HOST:PORT of a second listener that serves GET /metrics without
  // credentials (SPEC §5, §6); "" = none (then /api/v1/metrics, superadmin).
  std::string metrics_listen;
  std::string images_dir;   // default <data_dir>/images
  std::string recipes_dir;  // default: the repo's recipes/ next to the binary
  std::string web_root;     // default: the repo's web/dist next to the binary
  std::string runc_root = "/run/berth/runc";
  // TLS on the listener (both or neither; docs/operations.md "TLS") and the
  // reverse proxies whose X-Forwarded-* headers are believed (CIDRs).
  std::string tls_cert;
  std::string tls_key;
  std::vector<std::string> trusted_proxies;
  uint32_t container_uid = 1000;
  uint32_t container_gid = 1000;
  // How long a one-time web sign-in code lasts (SPEC §4: at most 600 s);
  // BERTH_LOGIN_CODE_TTL_S sets it shorter (tests of expiry).
  int64_t login_code_ttl_s = 600;
  // Robustness bounds (docs/operations.md): exec timeouts (SPEC §5) and
  // open connections in all and per client address (0: no cap).
  uint32_t exec_default_timeout_s = 600;
  uint32_t exec_max_timeout_s = 86400;
  uint32_t max_connections = 4096;
  uint32_t max_connections_per_client = 256;
  // Host ids userns_base.. (userns_size of them) back each runc session's
  // user namespace (SPEC §3 "User"); userns_size 0 turns user namespaces off.
  uint32_t userns_base = 100000;
  uint32_t userns_size = 65536;
  // HTTP handler threads (http::ServerOptions::worker_threads), and how
  // many of them execs may hold at once in all (0: worker_threads / 2;
  // ResolveExecCap puts the result in limits.max_execs_total).
  uint32_t worker_threads = 64;
  uint32_t max_execs_total = 0;
  // Each user's total storage quota unless a superadmin set one (none:
  // unlimited; manager/user_quota.h).
  std::optional<uint64_t> default_user_quota_bytes;
  // Session network (SPEC §3 "Network"; docs/operations.md): each session's
  // own namespace on this bridge, addresses from this subnet, these DNS
  // servers in its resolv.conf (empty: the host's non-loopback ones).
  std::string session_subnet = "10.213.0.0/16";
  std::string session_bridge = "berth0";
  std::vector<std::string> session_dns;
  // Session limits (SPEC §3 "Limits"; docs/operations.md).
  LimitSettings limits;
  // Bound each session's scratch dir by a size-capped tmpfs (RAM) when its
  // file system cannot (storage/scratch_dir.h); btrfs needs no tmpfs.
  bool scratch_tmpfs = false;
  // --cluster slurm (SPEC §9, docs/cluster.md): sessions as Slurm jobs.
  std::string cluster;          // "" (one host) | "slurm"
  std::string slurm_rest;       // slurmrestd's URL
  std::string slurm_jwt_file;   // the JWT, one line
  std::string slurm_user;       // whom the JWT is for; the jobs run as this user
  std::string agent_listen;     // HOST:PORT where node agents dial in (port 0: any)
  std::string node_data_dir;    // the node agent's data dir (default <data_dir>/nodes)
  std::string node_berthd;      // berthd on the nodes (default: this binary's path)
  uint64_t session_lifetime_s = 0;   // a session's Slurm time limit; 0 = the partition's
  uint64_t cluster_poll_ms = 10000;  // how often the jobs' states are read
  uint64_t agent_grace_ms = 30000;   // an agent away this long: its session is lost
  // Extra volumes, in order; the config file's first, then --volume flags.
  // A volume named "local" moves the built-in one to its path.
  std::vector<VolumeConfig> volumes;
};

// Sets limits.max_execs_total from max_execs_total and worker_threads;
// InvalidArgument unless 2 <= worker_threads and 1 <= the cap < worker_threads
// (execs must never hold every worker: /health has to answer).
Status ResolveExecCap(DaemonConfig& cfg);

// --cluster: "" or "slurm"; with "slurm" the slurm_* settings and
// agent_listen are required, the runtime must be runc (the nodes' driver),
// and the poll interval and agent grace at least 100 ms. InvalidArgument
// naming the setting otherwise.
Status CheckClusterConfig(const DaemonConfig& cfg);

// /var/lib/berth as root; else $XDG_DATA_HOME/berth or ~/.local/share/berth.
std::string DefaultDataDir();

// Reads keys data_dir, listen, runtime, docker_socket, default_image,
// log_level, log_format, metrics_listen, store, container_uid, container_gid,
// exec_default_timeout_s,
// exec_max_timeout_s, max_connections, max_connections_per_client,
// userns_base, userns_size, tls_cert, tls_key, trusted_proxies, session_subnet,
// session_bridge, session_dns (each of the last: a string, comma-separated for
// session_dns, or an array of strings), the limits (default_cpu, max_cpu,
// default_memory_bytes, max_memory_bytes, default_pids, max_pids,
// default_scratch_bytes, max_scratch_bytes, max_sessions_per_user, max_execs_per_user, container_log_max_bytes),
// scratch_tmpfs (a boolean), worker_threads, max_execs_total,
// default_user_quota_bytes (and the other string keys
// of DaemonConfig), and `[[volume]]` tables {name, path}, from a TOML file
// over `cfg`.
// Unknown keys are an error (a typo must not be silently ignored).
Status LoadConfigFile(const std::string& path, DaemonConfig& cfg);
// Applies BERTH_DATA_DIR, BERTH_LISTEN, BERTH_APPS_LISTEN, BERTH_RUNTIME, BERTH_LOG_LEVEL,
// BERTH_LOG_FORMAT, BERTH_IMAGES_DIR, BERTH_RECIPES_DIR, BERTH_WEB_ROOT, BERTH_RUNC_ROOT, BERTH_STORE (a
// way to pass a password-bearing URL without a flag that `ps` shows),
// BERTH_LOGIN_CODE_TTL_S (1..600, else ignored).
void ApplyEnvironment(DaemonConfig& cfg);

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
// "HOST:PORT" or "[v6]:PORT".
Result<ListenAddress> ParseListen(const std::string& s);
// Where the apps origin listens, and how apps are addressed on it.
struct AppsListenAddress {
  std::string host;  // the address it binds
  uint16_t port = 0;
  // Wildcard-host mode: every app has its own host <app>-<session id>.DOMAIN
  // (apps/proxy_rules.h AppHostName); "" = one origin HOST:PORT for all.
  std::string domain;
};
// cfg.apps_listen: "HOST:PORT"; "*.DOMAIN:PORT" or "*.DOMAIN" (wildcard-host
// mode, bound on the API's host; the API's port + 1 without a PORT), DOMAIN
// lower-cased, each label [a-z0-9-]{1,63} not starting or ending with '-';
// or by default the API's host with its port + 1 (port 0, any free port,
// when the API's is 0). InvalidArgument naming the value otherwise.
Result<AppsListenAddress> AppsListen(const DaemonConfig& cfg);

}  // namespace berth::manager
