#include "images/recipe.h"

#include <toml++/toml.h>

#include <sstream>

#include "common/sh_quote.h"

namespace berth::images {
namespace {

Status Bad(const std::string& name, const std::string& what) {
  return InvalidArgument("recipe " + name + ": " + what, "invalid_recipe");
}

Result<std::vector<std::string>> StringArray(const toml::table& t, const std::string& key,
                                             const std::string& name) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const toml::array* arr = n->as_array();
  if (arr == nullptr) return Bad(name, key + " must be an array of strings");
  for (const auto& e : *arr) {
    auto v = e.value<std::string>();
    if (!v) return Bad(name, key + " must be an array of strings");
    out.push_back(*v);
  }
  return out;
}

bool SafeToken(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '+' || c == ':' || c == '/' || c == '=';
    if (!ok) return false;
  }
  return true;
}

Result<std::vector<AppSpec>> ParseApps(const toml::table& t, const std::string& name) {
  std::vector<AppSpec> apps;
  const toml::node* n = t.get("app");
  if (n == nullptr) return apps;
  const toml::array* arr = n->as_array();
  if (arr == nullptr) return Bad(name, "app must be an array of tables ([[app]])");
  for (const auto& e : *arr) {
    const toml::table* a = e.as_table();
    if (a == nullptr) return Bad(name, "app must be an array of tables ([[app]])");
    AppSpec app;
    app.name = (*a)["name"].value_or(std::string());
    app.display_name = (*a)["display_name"].value_or(std::string());
    int64_t port = (*a)["port"].value_or(int64_t{0});
    app.port = port > 0 && port < 65536 ? static_cast<uint16_t>(port) : 0;
    app.command = (*a)["command"].value_or(std::string());
    if (Status st = ValidateApp(app); !st.ok()) return Bad(name, st.message());
    for (const auto& other : apps)
      if (other.name == app.name) return Bad(name, "app '" + app.name + "' is declared twice");
    apps.push_back(std::move(app));
  }
  return apps;
}

}  // namespace

const char kBashSnippet[] = R"(# Berth: say once per session shell which paths persist (SPEC §3).
if [ -n "${PS1-}" ] && [ -z "${BERTH_PATHS_SHOWN-}" ] && [ -n "${BERTH_SESSION_NAME-}" ]; then
  export BERTH_PATHS_SHOWN=1
  if [ -n "${BERTH_PERSISTENT_PATHS-}" ]; then
    echo "berth: session ${BERTH_SESSION_NAME}. Only these paths persist after it is deleted:"
    IFS=: read -r -a __berth_paths <<< "$BERTH_PERSISTENT_PATHS"
    for __berth_p in "${__berth_paths[@]}"; do echo "  $__berth_p"; done
    unset __berth_paths __berth_p
  else
    echo "berth: session ${BERTH_SESSION_NAME}. No folder is mounted: nothing here persists after it is deleted."
  fi
fi
)";

bool IsValidImageName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

Result<Recipe> ParseRecipe(const std::string& name, const std::string& toml_text) {
  if (!IsValidImageName(name)) return Bad(name, "invalid recipe name");
  toml::table t;
  try {
    t = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return Bad(name, std::string(e.description()));
  }
  Recipe r;
  r.name = name;
  r.description = t["description"].value_or(std::string());
  r.suite = t["suite"].value_or(std::string());
  if (r.suite.empty() || !SafeToken(r.suite)) return Bad(name, "suite is required");
  r.variant = t["variant"].value_or(r.variant);
  if (!SafeToken(r.variant)) return Bad(name, "bad variant");
  r.mirror = t["mirror"].value_or(r.mirror);
  if (!SafeToken(r.mirror)) return Bad(name, "bad mirror");
  BERTH_ASSIGN_OR_RETURN(auto comps, StringArray(t, "components", name));
  if (!comps.empty()) r.components = comps;
  BERTH_ASSIGN_OR_RETURN(r.extra_sources, StringArray(t, "extra_sources", name));
  BERTH_ASSIGN_OR_RETURN(r.packages, StringArray(t, "packages", name));
  for (const auto& p : r.packages)
    if (!SafeToken(p) || p[0] == '-') return Bad(name, "bad package name '" + p + "'");
  BERTH_ASSIGN_OR_RETURN(r.customize, StringArray(t, "customize", name));
  if (const toml::table* u = t["user"].as_table()) {
    r.user_name = (*u)["name"].value_or(r.user_name);
    r.uid = (*u)["uid"].value_or(r.uid);
    r.gid = (*u)["gid"].value_or(r.gid);
    r.home = (*u)["home"].value_or(r.home);
    r.shell = (*u)["shell"].value_or(r.shell);
  }
  if (!SafeToken(r.user_name) || r.home.empty() || r.home[0] != '/' || r.shell.empty())
    return Bad(name, "bad [user] section");
  if (r.uid == 0 || r.gid == 0) return Bad(name, "the session user must not be root");
  if (const toml::table* p = t["pip"].as_table())
    r.pip_allow_user_install = (*p)["allow_user_install"].value_or(true);
  BERTH_ASSIGN_OR_RETURN(r.apps, ParseApps(t, name));
  return r;
}

std::vector<std::string> CustomizeHooks(const Recipe& r) {
  std::vector<std::string> hooks;
  // Persistent-paths notice for interactive shells, sourced by bash.bashrc
  // (read by every interactive bash, login or not, whatever ~/.bashrc says).
  hooks.push_back("mkdir -p \"$1/etc/berth\" && printf '%s' " + ShQuote(kBashSnippet) +
                  " > \"$1/etc/berth/bashrc\" && printf '\\n[ -r /etc/berth/bashrc ] && . "
                  "/etc/berth/bashrc\\n' >> \"$1/etc/bash.bashrc\"");
  if (r.pip_allow_user_install) {
    hooks.push_back(
        "rm -f \"$1\"/usr/lib/python3*/EXTERNALLY-MANAGED && "
        "printf '[global]\\nbreak-system-packages = true\\n' > \"$1/etc/pip.conf\"");
  }
  // The session user. Not added to group sudo: sudo stays blocked unless
  // the agent adds a drop-in (and no_new_privileges is already on).
  std::string g = std::to_string(r.gid), u = std::to_string(r.uid);
  hooks.push_back("chroot \"$1\" groupadd -g " + g + " " + ShQuote(r.user_name) +
                  " && chroot \"$1\" useradd -m -u " + u + " -g " + g + " -d " + ShQuote(r.home) +
                  " -s " + ShQuote(r.shell) + " " + ShQuote(r.user_name));
  // Mount point of the static init, so runc need not create it at start.
  hooks.push_back("mkdir -p \"$1/.berth\" && touch \"$1/.berth/tini\"");
  for (const auto& c : r.customize) hooks.push_back(c);
  return hooks;
}

std::vector<std::string> MmdebstrapArgv(const Recipe& r, const std::string& target,
                                        const std::string& mirror_override) {
  auto rewrite = [&](std::string s) {
    if (mirror_override.empty()) return s;
    const std::string host = "http://deb.debian.org";
    for (size_t pos; (pos = s.find(host)) != std::string::npos;)
      s.replace(pos, host.size(), mirror_override);
    return s;
  };
  std::vector<std::string> argv = {"mmdebstrap", "--mode=root", "--variant=" + r.variant,
                                   "--format=directory"};
  std::string comps;
  for (const auto& c : r.components) comps += (comps.empty() ? "" : ",") + c;
  argv.push_back("--components=" + comps);
  if (!r.packages.empty()) {
    std::string inc;
    for (const auto& p : r.packages) inc += (inc.empty() ? "" : ",") + p;
    argv.push_back("--include=" + inc);
  }
  // No documentation or translations in session images.
  argv.push_back("--dpkgopt=path-exclude=/usr/share/doc/*");
  argv.push_back("--dpkgopt=path-include=/usr/share/doc/*/copyright");
  argv.push_back("--dpkgopt=path-exclude=/usr/share/man/*");
  argv.push_back("--dpkgopt=path-exclude=/usr/share/locale/*");
  for (const auto& h : CustomizeHooks(r)) argv.push_back("--customize-hook=" + h);
  argv.push_back(r.suite);
  argv.push_back(target);
  argv.push_back(rewrite(r.mirror));
  for (const auto& s : r.extra_sources) argv.push_back(rewrite(s));
  return argv;
}

}  // namespace berth::images
