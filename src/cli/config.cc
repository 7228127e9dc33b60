#include "cli/config.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/unique_fd.h"

namespace berth::cli {

namespace {

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  auto end = s.find_last_not_of(ws);
  s.erase(end == std::string::npos ? 0 : end + 1);
  return s;
}

std::string NonEmpty(const Environment& env, const char* name) {
  auto v = env.get(name);
  return v ? *v : std::string();
}

std::string HomeDir(const Environment& env) {
  std::string home = NonEmpty(env, "HOME");
  if (!home.empty()) return home;
  if (const passwd* pw = ::getpwuid(env.euid); pw != nullptr && pw->pw_dir) return pw->pw_dir;
  return "/";
}

Status MkdirP(const std::string& dir, mode_t mode) {
  std::string cur;
  size_t i = 0;
  while (i <= dir.size()) {
    size_t j = dir.find('/', i);
    if (j == std::string::npos) j = dir.size();
    cur = dir.substr(0, j);
    if (!cur.empty() && ::mkdir(cur.c_str(), mode) != 0 && errno != EEXIST) {
      return ErrnoStatus("creating " + cur, errno);
    }
    i = j + 1;
  }
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return ErrnoStatus("writing " + tmp, errno);
  ::fchmod(fd.get(), 0600);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return ErrnoStatus("writing " + tmp, err);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("writing " + path, err);
  }
  return Status::Ok();
}

Status RemoveIfExists(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("removing " + path, errno);
  return Status::Ok();
}

}  // namespace

Environment Environment::Process() {
  Environment env;
  env.get = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  env.euid = ::geteuid();
  return env;
}

std::string ConfigDir(const Environment& env) {
  std::string xdg = NonEmpty(env, "XDG_CONFIG_HOME");
  if (!xdg.empty()) return xdg + "/berth";
  return HomeDir(env) + "/.config/berth";
}

std::string DataDir(const Environment& env) {
  std::string dir = NonEmpty(env, "BERTH_DATA_DIR");
  if (!dir.empty()) return dir;
  if (env.euid == 0) return "/var/lib/berth";
  std::string xdg = NonEmpty(env, "XDG_DATA_HOME");
  if (!xdg.empty()) return xdg + "/berth";
  return HomeDir(env) + "/.local/share/berth";
}

std::string TokenFilePath(const Environment& env) { return ConfigDir(env) + "/token"; }
std::string EndpointFilePath(const Environment& env) { return ConfigDir(env) + "/endpoint"; }
std::string TokenIdFilePath(const Environment& env) { return ConfigDir(env) + "/token_id"; }

std::optional<std::string> ReadTrimmedFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = Trim(ss.str());
  if (s.empty()) return std::nullopt;
  return s;
}

std::string ResolveEndpoint(const std::string& flag, const Environment& env) {
  if (!flag.empty()) return flag;
  std::string v = NonEmpty(env, "BERTH_ENDPOINT");
  if (!v.empty()) return v;
  if (auto saved = ReadTrimmedFile(EndpointFilePath(env))) return *saved;
  return kDefaultEndpoint;
}

ResolvedToken ResolveToken(const std::string& flag, const Environment& env) {
  if (!flag.empty()) return {flag, "--token"};
  std::string v = NonEmpty(env, "BERTH_TOKEN");
  if (!v.empty()) return {v, "BERTH_TOKEN"};
  for (const std::string& path : {TokenFilePath(env), DataDir(env) + "/admin.token"}) {
    if (auto t = ReadTrimmedFile(path)) return {*t, path};
  }
  return {};
}

Status SaveLogin(const Environment& env, const std::string& token, const std::string& endpoint,
                 const std::string& token_id) {
  std::string dir = ConfigDir(env);
  BERTH_RETURN_IF_ERROR(MkdirP(dir, 0700));
  BERTH_RETURN_IF_ERROR(WriteFileAtomic(TokenFilePath(env), token + "\n"));
  if (token_id.empty()) {
    BERTH_RETURN_IF_ERROR(RemoveIfExists(TokenIdFilePath(env)));
  } else {
    BERTH_RETURN_IF_ERROR(WriteFileAtomic(TokenIdFilePath(env), token_id + "\n"));
  }
  if (!endpoint.empty()) {
    BERTH_RETURN_IF_ERROR(WriteFileAtomic(EndpointFilePath(env), endpoint + "\n"));
  }
  return Status::Ok();
}

Status ClearLogin(const Environment& env) {
  BERTH_RETURN_IF_ERROR(RemoveIfExists(TokenFilePath(env)));
  return RemoveIfExists(TokenIdFilePath(env));
}

}  // namespace berth::cli
