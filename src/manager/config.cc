#include "manager/config.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <type_traits>
#include <toml++/toml.h>

#include "common/ascii.h"
#include "manager/user_quota.h"

namespace berth::manager {

std::string DefaultDataDir() {
  if (::geteuid() == 0) return "/var/lib/berth";
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/berth";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.local/share/berth";
}

Status LoadConfigFile(const std::string& path, DaemonConfig& cfg) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return InvalidArgument("config " + path + ": " + std::string(e.description()));
  }
  for (const auto& [key, node] : t) {
    std::string k(key.str());
    auto str = [&](std::string& out) -> Status {
      if (!node.is_string()) return InvalidArgument("config " + path + ": '" + k + "' must be a string");
      out = node.as_string()->get();
      return Status::Ok();
    };
    auto strings = [&](std::vector<std::string>& out) -> Status {
      out.clear();
      if (node.is_string()) {
        out.push_back(node.as_string()->get());
        return Status::Ok();
      }
      const toml::array* a = node.as_array();
      if (a == nullptr) return InvalidArgument("config " + path + ": '" + k + "' must be a string or an array of strings");
      for (const auto& item : *a) {
        if (!item.is_string()) return InvalidArgument("config " + path + ": '" + k + "' must be a string or an array of strings");
        out.push_back(item.as_string()->get());
      }
      return Status::Ok();
    };
    auto uint = [&](uint32_t& out) -> Status {
      if (!node.is_integer() || node.as_integer()->get() < 0) {
        return InvalidArgument("config " + path + ": '" + k + "' must be a non-negative integer");
      }
      out = static_cast<uint32_t>(node.as_integer()->get());
      return Status::Ok();
    };
    auto count = [&](auto& out) -> Status {
      if (!node.is_integer() || node.as_integer()->get() <= 0) {
        return InvalidArgument("config " + path + ": '" + k + "' must be a positive integer");
      }
      out = static_cast<std::remove_reference_t<decltype(out)>>(node.as_integer()->get());
      return Status::Ok();
    };
    auto cpus = [&](double& out) -> Status {
      if (!node.is_number() || !(node.value<double>().value_or(0) > 0)) {
        return InvalidArgument("config " + path + ": '" + k + "' must be a positive number");
      }
      out = *node.value<double>();
      return Status::Ok();
    };
    auto volumes = [&]() -> Status {
      const toml::array* arr = node.as_array();
      if (!arr) return InvalidArgument("config " + path + ": 'volume' must be [[volume]] tables");
      for (const auto& item : *arr) {
        const toml::table* vt = item.as_table();
        auto name = vt ? vt->get_as<std::string>("name") : nullptr;
        auto vpath = vt ? vt->get_as<std::string>("path") : nullptr;
        if (!name || !vpath || vt->size() != 2) {
          return InvalidArgument("config " + path +
                                 ": each [[volume]] needs exactly name = \"...\" and path = \"...\"");
        }
        cfg.volumes.push_back({name->get(), vpath->get()});
      }
      return Status::Ok();
    };
    auto boolean = [&](bool& out) -> Status {
      if (!node.is_boolean()) return InvalidArgument("config " + path + ": '" + k + "' must be true or false");
      out = node.as_boolean()->get();
      return Status::Ok();
    };
    LimitSettings& l = cfg.limits;
    Status st;
    if (k == "volume") st = volumes();
    else if (k == "default_cpu") st = cpus(l.default_cpu);
    else if (k == "max_cpu") st = cpus(l.max_cpu);
    else if (k == "default_memory_bytes") st = count(l.default_memory_bytes);
    else if (k == "max_memory_bytes") st = count(l.max_memory_bytes);
    else if (k == "default_pids") st = count(l.default_pids);
    else if (k == "max_pids") st = count(l.max_pids);
    else if (k == "default_scratch_bytes") st = count(l.default_scratch_bytes);
    else if (k == "max_scratch_bytes") st = count(l.max_scratch_bytes);
    else if (k == "scratch_tmpfs") st = boolean(cfg.scratch_tmpfs);
    else if (k == "max_sessions_per_user") st = count(l.max_sessions);
    else if (k == "max_execs_per_user") st = count(l.max_execs);
    else if (k == "container_log_max_bytes") st = count(l.container_log_max_bytes);
    else if (k == "data_dir") st = str(cfg.data_dir);
    else if (k == "listen") st = str(cfg.listen);
    else if (k == "apps_listen") st = str(cfg.apps_listen);
    else if (k == "runtime") st = str(cfg.runtime);
    else if (k == "docker_socket") st = str(cfg.docker_socket);
    else if (k == "default_image") st = str(cfg.default_image);
    else if (k == "log_level") st = str(cfg.log_level);
    else if (k == "log_format") st = str(cfg.log_format);
    else if (k == "metrics_listen") st = str(cfg.metrics_listen);
    else if (k == "images_dir") st = str(cfg.images_dir);
    else if (k == "recipes_dir") st = str(cfg.recipes_dir);
    else if (k == "web_root") st = str(cfg.web_root);
    else if (k == "runc_root") st = str(cfg.runc_root);
    else if (k == "store") st = str(cfg.store);
    else if (k == "manager_name") st = str(cfg.manager_name);
    else if (k == "tls_cert") st = str(cfg.tls_cert);
    else if (k == "tls_key") st = str(cfg.tls_key);
    else if (k == "trusted_proxies") st = strings(cfg.trusted_proxies);
    else if (k == "container_uid") st = uint(cfg.container_uid);
    else if (k == "container_gid") st = uint(cfg.container_gid);
    else if (k == "exec_default_timeout_s") st = uint(cfg.exec_default_timeout_s);
    else if (k == "exec_max_timeout_s") st = uint(cfg.exec_max_timeout_s);
    else if (k == "max_connections") st = uint(cfg.max_connections);
    else if (k == "max_connections_per_client") st = uint(cfg.max_connections_per_client);
    else if (k == "userns_base") st = uint(cfg.userns_base);
    else if (k == "userns_size") st = uint(cfg.userns_size);
    else if (k == "worker_threads") st = uint(cfg.worker_threads);
    else if (k == "max_execs_total") st = uint(cfg.max_execs_total);
    else if (k == "default_user_quota_bytes") {
      uint64_t q = 0;
      st = count(q);
      if (st.ok() && (st = CheckQuotaBytes(q)).ok()) cfg.default_user_quota_bytes = q;
    }
    else if (k == "session_subnet") st = str(cfg.session_subnet);
    else if (k == "session_bridge") st = str(cfg.session_bridge);
    else if (k == "session_dns") st = strings(cfg.session_dns);
    else if (k == "cluster") st = str(cfg.cluster);
    else if (k == "slurm_rest") st = str(cfg.slurm_rest);
    else if (k == "slurm_jwt_file") st = str(cfg.slurm_jwt_file);
    else if (k == "slurm_user") st = str(cfg.slurm_user);
    else if (k == "agent_listen") st = str(cfg.agent_listen);
    else if (k == "node_data_dir") st = str(cfg.node_data_dir);
    else if (k == "node_berthd") st = str(cfg.node_berthd);
    else if (k == "session_lifetime_s") st = count(cfg.session_lifetime_s);
    else if (k == "cluster_poll_ms") st = count(cfg.cluster_poll_ms);
    else if (k == "agent_grace_ms") st = count(cfg.agent_grace_ms);
    else st = InvalidArgument("config " + path + ": unknown key '" + k + "'");
    BERTH_RETURN_IF_ERROR(st);
  }
  if (cfg.exec_default_timeout_s == 0 || cfg.exec_default_timeout_s > cfg.exec_max_timeout_s) {
    return InvalidArgument("config " + path +
                           ": exec_default_timeout_s must be between 1 and exec_max_timeout_s");
  }
  return ResolveExecCap(cfg);
}

Status CheckClusterConfig(const DaemonConfig& cfg) {
  if (cfg.cluster.empty()) return Status::Ok();
  if (cfg.cluster != "slurm") {
    return InvalidArgument("--cluster must be 'slurm', not '" + cfg.cluster + "'");
  }
  if (cfg.runtime != "runc") {
    return InvalidArgument("--cluster slurm runs sessions with runc on the nodes; --runtime " +
                           cfg.runtime + " is not supported there");
  }
  for (const auto& [value, flag] : {std::pair{&cfg.slurm_rest, "--slurm-rest"},
                                    {&cfg.slurm_jwt_file, "--slurm-jwt-file"},
                                    {&cfg.slurm_user, "--slurm-user"},
                                    {&cfg.agent_listen, "--agent-listen"}}) {
    if (value->empty()) return InvalidArgument(std::string("--cluster slurm needs ") + flag);
  }
  if (cfg.cluster_poll_ms < 100 || cfg.agent_grace_ms < 100) {
    return InvalidArgument("the cluster poll interval and agent grace must be at least 100 ms");
  }
  return Status::Ok();
}

Status ResolveExecCap(DaemonConfig& cfg) {
  if (cfg.worker_threads < 2 || cfg.worker_threads > 4096) {
    return InvalidArgument("worker_threads must be between 2 and 4096");
  }
  const uint32_t cap = cfg.max_execs_total == 0 ? cfg.worker_threads / 2 : cfg.max_execs_total;
  if (cap >= cfg.worker_threads) {
    return InvalidArgument("max_execs_total must be less than worker_threads (" +
                           std::to_string(cfg.worker_threads) + ")");
  }
  cfg.limits.max_execs_total = cap;
  return Status::Ok();
}

void ApplyEnvironment(DaemonConfig& cfg) {
  auto env = [](const char* name, std::string& out) {
    if (const char* v = std::getenv(name); v && *v) out = v;
  };
  env("BERTH_DATA_DIR", cfg.data_dir);
  env("BERTH_LISTEN", cfg.listen);
  env("BERTH_APPS_LISTEN", cfg.apps_listen);
  env("BERTH_RUNTIME", cfg.runtime);
  env("BERTH_LOG_LEVEL", cfg.log_level);
  env("BERTH_LOG_FORMAT", cfg.log_format);
  env("BERTH_IMAGES_DIR", cfg.images_dir);
  env("BERTH_RECIPES_DIR", cfg.recipes_dir);
  env("BERTH_WEB_ROOT", cfg.web_root);
  env("BERTH_RUNC_ROOT", cfg.runc_root);
  env("BERTH_STORE", cfg.store);
  std::string ttl;
  env("BERTH_LOGIN_CODE_TTL_S", ttl);
  if (int64_t v = std::atoll(ttl.c_str()); v >= 1 && v <= 600) cfg.login_code_ttl_s = v;
}

Result<ListenAddress> ParseListen(const std::string& s) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos || colon + 1 == s.size()) {
    return InvalidArgument("listen address '" + s + "' must be HOST:PORT");
  }
  std::string host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto [p, ec] = std::from_chars(s.data() + colon + 1, s.data() + s.size(), port);
  if (ec != std::errc() || p != s.data() + s.size() || port > 65535 || host.empty()) {
    return InvalidArgument("listen address '" + s + "' must be HOST:PORT");
  }
  return ListenAddress{host, static_cast<uint16_t>(port)};
}

namespace {

// The API's listen address with its port + 1 (0 stays 0: any free port).
Result<ListenAddress> ApiPortPlusOne(const DaemonConfig& cfg) {
  BERTH_ASSIGN_OR_RETURN(ListenAddress api, ParseListen(cfg.listen));
  if (api.port == 65535) return InvalidArgument("set --apps-listen: the API port is 65535");
  if (api.port != 0) ++api.port;
  return api;
}

bool ValidDomain(const std::string& d) {
  if (d.empty() || d.size() > 190) return false;  // room for a 63-character app label
  size_t start = 0;
  while (start <= d.size()) {
    size_t dot = d.find('.', start);
    if (dot == std::string::npos) dot = d.size();
    std::string_view label(d.data() + start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    start = dot + 1;
  }
  return true;
}

// "*.DOMAIN[:PORT]": wildcard-host mode on the API's host.
Result<AppsListenAddress> ParseWildcardApps(const DaemonConfig& cfg) {
  const std::string& s = cfg.apps_listen;
  const Status bad = InvalidArgument("--apps-listen '" + s + "' must be HOST:PORT or *.DOMAIN[:PORT] "
                                     "(e.g. *.apps.example.org:8471)");
  std::string domain = s.substr(2);
  BERTH_ASSIGN_OR_RETURN(ListenAddress bind, ApiPortPlusOne(cfg));
  if (size_t colon = domain.find(':'); colon != std::string::npos) {
    auto port = ParseListen("h" + domain.substr(colon));
    if (!port.ok()) return bad;
    bind.port = port->port;
    domain.resize(colon);
  }
  domain = AsciiLower(domain);
  if (!ValidDomain(domain)) return bad;
  return AppsListenAddress{bind.host, bind.port, domain};
}

}  // namespace

Result<AppsListenAddress> AppsListen(const DaemonConfig& cfg) {
  if (cfg.apps_listen.rfind("*.", 0) == 0) return ParseWildcardApps(cfg);
  BERTH_ASSIGN_OR_RETURN(ListenAddress a, cfg.apps_listen.empty() ? ApiPortPlusOne(cfg)
                                                                  : ParseListen(cfg.apps_listen));
  return AppsListenAddress{a.host, a.port, ""};
}

}  // namespace berth::manager
