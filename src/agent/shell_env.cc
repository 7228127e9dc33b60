#include "agent/shell_env.h"

#include <sstream>

#include "common/sh_quote.h"

namespace berth::agent {
namespace {

constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string NameOf(const std::string& entry) { return entry.substr(0, entry.find('=')); }

// Lines for sh that print `text` (one printf per line, each quoted).
std::string PrintLines(const std::string& text, const std::string& indent) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out += indent + "printf '%s\\n' " + ShQuote(line) + "\n";
  return out;
}

}  // namespace

void SetEnv(std::vector<std::string>* env, const std::string& name, const std::string& value) {
  for (auto& e : *env) {
    if (NameOf(e) == name) {
      e = name + "=" + value;
      return;
    }
  }
  env->push_back(name + "=" + value);
}

std::vector<std::string> SessionEnv(const SessionEnvFacts& f) {
  std::vector<std::string> env;
  std::string image_path = kDefaultPath;
  for (const auto& e : f.image_env) {
    if (e.find('=') == std::string::npos) continue;
    if (NameOf(e) == "PATH") {
      image_path = e.substr(5);
    } else {
      SetEnv(&env, NameOf(e), e.substr(e.find('=') + 1));
    }
  }
  std::vector<std::string> path = f.path_prepend;
  path.push_back(image_path);
  SetEnv(&env, "PATH", Join(path, ":"));
  SetEnv(&env, "HOME", "/home/work");
  SetEnv(&env, "USER", "work");
  bool has_lang = false;
  for (const auto& e : env) has_lang = has_lang || NameOf(e) == "LANG";
  if (!has_lang) SetEnv(&env, "LANG", "C.UTF-8");  // an image's own LANG stays
  SetEnv(&env, "BERTH_SESSION_NAME", f.session_name);
  SetEnv(&env, "BERTH_PERSISTENT_PATHS", Join(f.persistent_paths, ":"));
  if (!f.brew_prefix.empty()) {
    // As `brew shellenv` (Homebrew 4) prints it for Linux; it leaves an
    // unset MANPATH unset (man then searches by PATH).
    SetEnv(&env, "HOMEBREW_PREFIX", f.brew_prefix);
    SetEnv(&env, "HOMEBREW_CELLAR", f.brew_prefix + "/Cellar");
    SetEnv(&env, "HOMEBREW_REPOSITORY", f.brew_prefix + "/Homebrew");
    SetEnv(&env, "INFOPATH", f.brew_prefix + "/share/info:");
  }
  if (f.pip_break_system_packages) SetEnv(&env, "PIP_BREAK_SYSTEM_PACKAGES", "1");
  for (const auto& [k, v] : f.user_env) SetEnv(&env, k, v);
  return env;
}

std::string ProfileDropIn(const std::vector<std::string>& env, const ShellNotice& notice) {
  std::string s =
      "# Berth session environment (SPEC §3 \"Shells\"): written by the agent for this\n"
      "# session only, mounted read-only. Login shells source it after /etc/profile.\n";
  for (const auto& e : env) {
    const std::string name = NameOf(e);
    if (name == "HOME" || name == "USER" || name.empty()) continue;
    s += "export " + name + "=" + ShQuote(e.substr(name.size() + 1)) + "\n";
  }
  std::string paths;
  if (notice.persistent_paths.empty()) {
    paths = "berth: session " + notice.session_name +
            ". No folder is mounted: nothing here persists after it is deleted.\n";
  } else {
    paths = "berth: session " + notice.session_name +
            ". Only these paths persist after it is deleted:\n";
    for (const auto& p : notice.persistent_paths) paths += "  " + p + "\n";
  }
  s += "case $- in\n"
       "  *i*)\n"
       "    if [ -z \"${BERTH_NOTICE_SHOWN-}\" ]; then\n"
       "      export BERTH_NOTICE_SHOWN=1\n"
       "      if [ -z \"${BERTH_PATHS_SHOWN-}\" ]; then\n"
       "        export BERTH_PATHS_SHOWN=1\n" +
       PrintLines(paths, "        ") + "      fi\n" + PrintLines(notice.extra, "      ") +
       "    fi\n"
       "    ;;\n"
       "esac\n";
  return s;
}

}  // namespace berth::agent
