#include "store/pg_test_server.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>

#include "common/subprocess.h"

namespace berth::store {
namespace fs = std::filesystem;

std::string PgTestServer::BinDir() {
  if (const char* env = std::getenv("BERTH_PG_BIN"); env && *env) return env;
  std::error_code ec;
  std::string best;
  int best_version = 0;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int v = std::atoi(e.path().filename().c_str());
    if (v > best_version && fs::exists(e.path() / "bin" / "pg_ctl", ec)) {
      best_version = v;
      best = (e.path() / "bin").string();
    }
  }
  return best;
}

// As root, through `runuser -u postgres`; otherwise as ourselves.
Status PgTestServer::Run(const std::vector<std::string>& argv) {
  SubprocessOptions o;
  if (::geteuid() == 0) o.argv = {"runuser", "-u", "postgres", "--"};
  o.argv.insert(o.argv.end(), argv.begin(), argv.end());
  o.timeout = std::chrono::seconds(60);
  auto r = RunSubprocess(o);
  if (!r.ok()) return r.status();
  if (!r->ok()) return Internal(DescribeFailure(o.argv, *r));
  return Status::Ok();
}

Result<std::unique_ptr<PgTestServer>> PgTestServer::Start() {
  std::string bin = BinDir();
  if (bin.empty()) {
    return NotFound("PostgreSQL server binaries not found (install Debian's `postgresql`, "
                    "scripts/deps.sh, or set BERTH_PG_BIN)");
  }
  char tmpl[] = "/tmp/berth-pg-XXXXXX";
  if (!::mkdtemp(tmpl)) return Internal("mkdtemp failed");
  std::unique_ptr<PgTestServer> s(new PgTestServer(bin, tmpl));
  if (::geteuid() == 0) {
    passwd* pw = ::getpwnam("postgres");
    if (!pw) return NotFound("running as root and there is no `postgres` user to run PostgreSQL as");
    if (::chown(tmpl, pw->pw_uid, pw->pw_gid) != 0) return Internal("chown of the PostgreSQL dir failed");
  }
  std::string data = s->dir_ + "/data";
  BERTH_RETURN_IF_ERROR(s->Run({bin + "/initdb", "-D", data, "-U", "berth", "-A", "trust", "-E",
                                "UTF8", "--locale=C.UTF-8", "--no-sync"}));
  Status st = s->Run({bin + "/pg_ctl", "-D", data, "-l", s->dir_ + "/log", "-w", "-t", "60", "-o",
                      "-c listen_addresses='' -k " + s->dir_ + " -c fsync=off", "start"});
  if (!st.ok()) {
    std::ifstream log(s->dir_ + "/log");
    std::stringstream text;
    text << log.rdbuf();
    return Internal("PostgreSQL did not start: " + st.message() + "\n" + text.str());
  }
  s->started_ = true;
  return s;
}

PgTestServer::~PgTestServer() {
  if (started_) (void)Run({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"});
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PgTestServer::Url(const std::string& name) const {
  return "postgresql:///" + name + "?host=" + dir_ + "&user=berth";
}

Result<std::string> PgTestServer::CreateDatabase() {
  std::string name = "berth_test_" + std::to_string(++databases_);
  try {
    pqxx::connection c(Url("postgres"));
    pqxx::nontransaction(c).exec0("CREATE DATABASE " + name);
  } catch (const std::exception& e) {
    return Internal(std::string("CREATE DATABASE: ") + e.what());
  }
  return Url(name);
}

}  // namespace berth::store
