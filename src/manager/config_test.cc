#include "manager/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace berth::manager {
namespace {

TEST(ConfigTest, ParseListen) {
  auto a = ParseListen("127.0.0.1:8470");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8470);
  EXPECT_EQ(ParseListen("[::1]:0")->host, "::1");
  EXPECT_FALSE(ParseListen("localhost").ok());
  EXPECT_FALSE(ParseListen("h:99999").ok());
  EXPECT_FALSE(ParseListen(":80").ok());
}

TEST(ConfigTest, AppsListenDefaultsToTheApiPortPlusOne) {
  DaemonConfig cfg;
  cfg.listen = "10.0.0.5:8470";
  auto a = AppsListen(cfg);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "10.0.0.5");
  EXPECT_EQ(a->port, 8471);
  cfg.listen = "127.0.0.1:0";  // any free port for both
  EXPECT_EQ(AppsListen(cfg)->port, 0);
  cfg.apps_listen = "0.0.0.0:9000";
  EXPECT_EQ(AppsListen(cfg)->host, "0.0.0.0");
  EXPECT_EQ(AppsListen(cfg)->port, 9000);
  cfg.apps_listen = "nonsense";
  EXPECT_FALSE(AppsListen(cfg).ok());
  cfg.apps_listen.clear();
  cfg.listen = "127.0.0.1:65535";
  EXPECT_FALSE(AppsListen(cfg).ok());
}

TEST(ConfigTest, AppsListenTakesAWildcardDomain) {
  DaemonConfig cfg;
  cfg.listen = "10.0.0.5:8470";
  cfg.apps_listen = "*.Apps.Example.org";  // the API's host, its port + 1
  auto a = AppsListen(cfg);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->host, "10.0.0.5");
  EXPECT_EQ(a->port, 8471);
  EXPECT_EQ(a->domain, "apps.example.org");
  cfg.apps_listen = "*.apps.localhost:9443";
  a = AppsListen(cfg);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "10.0.0.5");
  EXPECT_EQ(a->port, 9443);
  EXPECT_EQ(a->domain, "apps.localhost");
  cfg.apps_listen = "*.localhost:0";
  EXPECT_EQ(AppsListen(cfg)->port, 0);
  cfg.apps_listen = "127.0.0.1:9000";
  EXPECT_EQ(AppsListen(cfg)->domain, "");
  for (const char* bad : {"*.", "*.:80", "*.a..b", "*.-a.b", "*.a-.b", "*.a_b.c", "*.a.b:x",
                          "*.a.b:70000", "*.a.b:", "*.*.b", "*.a b"}) {
    cfg.apps_listen = bad;
    auto r = AppsListen(cfg);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("*.DOMAIN"), std::string::npos) << bad;
    }
  }
  cfg.apps_listen = "*." + std::string(64, 'a') + ".b";  // a label over 63 characters
  EXPECT_FALSE(AppsListen(cfg).ok());
}

TEST(ConfigTest, FileOverridesDefaultsAndRefusesUnknownKeys) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-cfg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "ok.toml") << "data_dir = \"/srv/berth\"\nlisten = \"0.0.0.0:9000\"\ncontainer_uid = 2000\n"
                                      "store = \"postgresql://berth@db/berth\"\n";
    std::ofstream(dir / "bad.toml") << "data_dri = \"/x\"\n";
    std::ofstream(dir / "type.toml") << "listen = 5\n";
    std::ofstream(dir / "limits.toml") << "max_connections_per_client = 4\nexec_max_timeout_s = 60\n"
                                          "exec_default_timeout_s = 30\n";
    std::ofstream(dir / "never.toml") << "exec_default_timeout_s = 0\n";
  }
  DaemonConfig cfg;
  ASSERT_TRUE(LoadConfigFile((dir / "ok.toml").string(), cfg).ok());
  EXPECT_EQ(cfg.data_dir, "/srv/berth");
  EXPECT_EQ(cfg.listen, "0.0.0.0:9000");
  EXPECT_EQ(cfg.container_uid, 2000u);
  EXPECT_EQ(cfg.store, "postgresql://berth@db/berth");
  EXPECT_FALSE(LoadConfigFile((dir / "bad.toml").string(), cfg).ok());
  EXPECT_FALSE(LoadConfigFile((dir / "type.toml").string(), cfg).ok());
  EXPECT_FALSE(LoadConfigFile((dir / "missing.toml").string(), cfg).ok());
  ASSERT_TRUE(LoadConfigFile((dir / "limits.toml").string(), cfg).ok());
  EXPECT_EQ(cfg.max_connections_per_client, 4u);
  EXPECT_EQ(cfg.max_connections, 4096u);
  EXPECT_EQ(cfg.exec_default_timeout_s, 30u);
  EXPECT_EQ(cfg.exec_max_timeout_s, 60u);
  // Every exec must end (SPEC §5): a default of "never" is refused.
  EXPECT_FALSE(LoadConfigFile((dir / "never.toml").string(), cfg).ok());
  std::filesystem::remove_all(dir);
}

TEST(ConfigTest, TlsAndTrustedProxiesFromTheFile) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-cfg-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "tls.toml") << "tls_cert = \"/etc/berth/cert.pem\"\ntls_key = \"/etc/berth/key.pem\"\n"
                                     "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n";
  std::ofstream(dir / "one.toml") << "trusted_proxies = \"10.0.0.0/8\"\n";
  std::ofstream(dir / "bad.toml") << "trusted_proxies = 5\n";
  std::ofstream(dir / "mixed.toml") << "trusted_proxies = [\"10.0.0.0/8\", 5]\n";
  DaemonConfig cfg;
  ASSERT_TRUE(LoadConfigFile((dir / "tls.toml").string(), cfg).ok());
  EXPECT_EQ(cfg.tls_cert, "/etc/berth/cert.pem");
  EXPECT_EQ(cfg.tls_key, "/etc/berth/key.pem");
  EXPECT_EQ(cfg.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  ASSERT_TRUE(LoadConfigFile((dir / "one.toml").string(), cfg).ok());  // one, as a string
  EXPECT_EQ(cfg.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8"}));
  EXPECT_FALSE(LoadConfigFile((dir / "bad.toml").string(), cfg).ok());
  EXPECT_FALSE(LoadConfigFile((dir / "mixed.toml").string(), cfg).ok());
  std::filesystem::remove_all(dir);
}

TEST(ConfigTest, ClusterFromTheFileAndItsChecks) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-cfg-slurm-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "slurm.toml")
      << "cluster = \"slurm\"\nslurm_rest = \"http://127.0.0.1:6820\"\n"
         "slurm_jwt_file = \"/etc/berth/slurm.jwt\"\nslurm_user = \"root\"\n"
         "agent_listen = \"10.0.0.1:8472\"\nnode_data_dir = \"/var/lib/berth-node\"\n"
         "session_lifetime_s = 86400\ncluster_poll_ms = 5000\nagent_grace_ms = 20000\n";
  DaemonConfig cfg;
  EXPECT_TRUE(CheckClusterConfig(cfg).ok());  // one host
  ASSERT_TRUE(LoadConfigFile((dir / "slurm.toml").string(), cfg).ok());
  EXPECT_EQ(cfg.cluster, "slurm");
  EXPECT_EQ(cfg.agent_listen, "10.0.0.1:8472");
  EXPECT_EQ(cfg.node_data_dir, "/var/lib/berth-node");
  EXPECT_EQ(cfg.session_lifetime_s, 86400u);
  EXPECT_EQ(cfg.cluster_poll_ms, 5000u);
  EXPECT_EQ(cfg.agent_grace_ms, 20000u);
  EXPECT_TRUE(CheckClusterConfig(cfg).ok());
  DaemonConfig docker = cfg;
  docker.runtime = "docker";
  EXPECT_FALSE(CheckClusterConfig(docker).ok());
  DaemonConfig no_listen = cfg;
  no_listen.agent_listen.clear();
  EXPECT_NE(CheckClusterConfig(no_listen).message().find("--agent-listen"), std::string::npos);
  DaemonConfig fast = cfg;
  fast.cluster_poll_ms = 10;
  EXPECT_FALSE(CheckClusterConfig(fast).ok());
  DaemonConfig pbs = cfg;
  pbs.cluster = "pbs";
  EXPECT_FALSE(CheckClusterConfig(pbs).ok());
  std::filesystem::remove_all(dir);
}

TEST(ConfigTest, LimitsFromTheFile) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-cfgl-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "ok.toml") << "default_cpu = 0.5\nmax_cpu = 4\nmax_memory_bytes = 1073741824\n"
                                      "max_pids = 128\nmax_sessions_per_user = 3\nmax_execs_per_user = 2\n"
                                      "container_log_max_bytes = 1048576\n";
    std::ofstream(dir / "neg.toml") << "max_pids = -1\n";
    std::ofstream(dir / "zero.toml") << "max_cpu = 0\n";
    std::ofstream(dir / "noexec.toml") << "max_execs_per_user = 0\n";
  }
  DaemonConfig cfg;
  ASSERT_TRUE(LoadConfigFile((dir / "ok.toml").string(), cfg).ok());
  EXPECT_EQ(cfg.limits.default_cpu, 0.5);
  EXPECT_EQ(cfg.limits.max_cpu, 4);
  EXPECT_EQ(cfg.limits.max_memory_bytes, uint64_t{1} << 30);
  EXPECT_EQ(cfg.limits.max_pids, 128);
  EXPECT_EQ(cfg.limits.max_sessions, 3);
  EXPECT_EQ(cfg.limits.max_execs, 2);
  EXPECT_EQ(cfg.limits.container_log_max_bytes, uint64_t{1} << 20);
  EXPECT_FALSE(LoadConfigFile((dir / "neg.toml").string(), cfg).ok());
  EXPECT_FALSE(LoadConfigFile((dir / "zero.toml").string(), cfg).ok());
  EXPECT_FALSE(LoadConfigFile((dir / "noexec.toml").string(), cfg).ok());
  std::filesystem::remove_all(dir);
}

TEST(ConfigTest, ScratchLimitAndTmpfsFromTheFile) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-cfgs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "ok.toml") << "default_scratch_bytes = 67108864\n"
                                      "max_scratch_bytes = 1073741824\nscratch_tmpfs = true\n";
    std::ofstream(dir / "zero.toml") << "default_scratch_bytes = 0\n";
    std::ofstream(dir / "str.toml") << "max_scratch_bytes = \"1G\"\n";
    std::ofstream(dir / "notbool.toml") << "scratch_tmpfs = 1\n";
  }
  DaemonConfig cfg;
  EXPECT_FALSE(cfg.scratch_tmpfs);
  EXPECT_EQ(cfg.limits.default_scratch_bytes, uint64_t{10} << 30);
  ASSERT_TRUE(LoadConfigFile((dir / "ok.toml").string(), cfg).ok());
  EXPECT_EQ(cfg.limits.default_scratch_bytes, uint64_t{64} << 20);
  EXPECT_EQ(cfg.limits.max_scratch_bytes, uint64_t{1} << 30);
  EXPECT_TRUE(cfg.scratch_tmpfs);
  for (const char* bad : {"zero.toml", "str.toml", "notbool.toml"}) {
    DaemonConfig c;
    Status st = LoadConfigFile((dir / bad).string(), c);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << bad;
  }
  std::filesystem::remove_all(dir);
}

// Execs of all users together stay below the worker pool (default: half of
// it); the default user quota is a positive size.
TEST(ConfigTest, ExecCapAndDefaultUserQuota) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-cfgq-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "workers.toml") << "worker_threads = 16\n";
    std::ofstream(dir / "cap.toml") << "worker_threads = 16\nmax_execs_total = 10\n"
                                       "default_user_quota_bytes = 1048576\n";
    std::ofstream(dir / "all.toml") << "worker_threads = 16\nmax_execs_total = 16\n";
    std::ofstream(dir / "one.toml") << "worker_threads = 1\n";
    std::ofstream(dir / "noquota.toml") << "default_user_quota_bytes = 0\n";
  }
  DaemonConfig defaults;
  ASSERT_TRUE(ResolveExecCap(defaults).ok());
  EXPECT_EQ(defaults.limits.max_execs_total, 32);
  EXPECT_FALSE(defaults.default_user_quota_bytes.has_value());
  DaemonConfig cfg;
  ASSERT_TRUE(LoadConfigFile((dir / "workers.toml").string(), cfg).ok());
  EXPECT_EQ(cfg.limits.max_execs_total, 8);
  DaemonConfig cap;
  ASSERT_TRUE(LoadConfigFile((dir / "cap.toml").string(), cap).ok());
  EXPECT_EQ(cap.limits.max_execs_total, 10);
  EXPECT_EQ(cap.default_user_quota_bytes, uint64_t{1} << 20);
  for (const char* bad : {"all.toml", "one.toml", "noquota.toml"}) {
    DaemonConfig c;
    EXPECT_FALSE(LoadConfigFile((dir / bad).string(), c).ok()) << bad;
  }
  std::filesystem::remove_all(dir);
}

TEST(ConfigTest, ObservabilityKeysFromTheFile) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-cfgo-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "obs.toml") << "log_format = \"json\"\nmetrics_listen = \"127.0.0.1:9470\"\n";
  DaemonConfig cfg;
  EXPECT_EQ(cfg.log_format, "text");
  EXPECT_EQ(cfg.metrics_listen, "");
  ASSERT_TRUE(LoadConfigFile((dir / "obs.toml").string(), cfg).ok());
  EXPECT_EQ(cfg.log_format, "json");
  EXPECT_EQ(cfg.metrics_listen, "127.0.0.1:9470");
  std::filesystem::remove_all(dir);
}

TEST(ConfigTest, SessionNetworkFromTheFile) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-cfgn-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "list.toml") << "session_subnet = \"10.77.0.0/16\"\nsession_bridge = \"bt0\"\n"
                                        "session_dns = [\"198.18.0.2\", \"198.18.0.3\"]\n";
    std::ofstream(dir / "one.toml") << "session_dns = \"198.18.0.2,198.18.0.3\"\n";
    std::ofstream(dir / "bad.toml") << "session_dns = [1]\n";
  }
  DaemonConfig cfg;
  EXPECT_EQ(cfg.session_subnet, "10.213.0.0/16");
  EXPECT_EQ(cfg.session_bridge, "berth0");
  ASSERT_TRUE(LoadConfigFile((dir / "list.toml").string(), cfg).ok());
  EXPECT_EQ(cfg.session_subnet, "10.77.0.0/16");
  EXPECT_EQ(cfg.session_bridge, "bt0");
  EXPECT_EQ(cfg.session_dns, (std::vector<std::string>{"198.18.0.2", "198.18.0.3"}));
  ASSERT_TRUE(LoadConfigFile((dir / "one.toml").string(), cfg).ok());
  EXPECT_EQ(cfg.session_dns, (std::vector<std::string>{"198.18.0.2,198.18.0.3"}));
  EXPECT_FALSE(LoadConfigFile((dir / "bad.toml").string(), cfg).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace berth::manager

namespace berth::manager {
namespace {

TEST(ConfigTest, VolumeTablesInOrder) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-cfgvol-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "vol.toml") << "[[volume]]\nname = \"fast\"\npath = \"/mnt/fast\"\n"
                                     "[[volume]]\nname = \"big\"\npath = \"/mnt/big\"\n";
  std::ofstream(dir / "novol.toml") << "[[volume]]\nname = \"fast\"\n";
  std::ofstream(dir / "extra.toml") << "[[volume]]\nname = \"a\"\npath = \"/a\"\nkind = \"x\"\n";
  std::ofstream(dir / "scalar.toml") << "volume = \"fast=/mnt\"\n";
  DaemonConfig cfg;
  ASSERT_TRUE(LoadConfigFile((dir / "vol.toml").string(), cfg).ok());
  ASSERT_EQ(cfg.volumes.size(), 2u);
  EXPECT_EQ(cfg.volumes[0].name, "fast");
  EXPECT_EQ(cfg.volumes[0].path, "/mnt/fast");
  EXPECT_EQ(cfg.volumes[1].name, "big");
  for (const char* bad : {"novol.toml", "extra.toml", "scalar.toml"}) {
    DaemonConfig c;
    EXPECT_FALSE(LoadConfigFile((dir / bad).string(), c).ok()) << bad;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace berth::manager
