// AppSpec: a web app an image offers inside its sessions (SPEC §3 "Apps"),
// e.g. Jupyter Notebook in the `python` image. A recipe declares it as
//
//   [[app]]
//   name = "jupyter"              [a-z][a-z0-9-]{0,31}: the URL segment
//   display_name = "Jupyter"      the web UI button's accessible name
//   port = 8888                   where it listens on 127.0.0.1 in the session
//   command = "jupyter notebook --port={port} --NotebookApp.base_url={base_url}"
//
// and image.json keeps it. `command` is run by /bin/sh as the session user;
// {port} and {base_url} are replaced before it runs (ExpandAppCommand).
//
// Pure data and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace berth::images {

struct AppSpec {
  std::string name;
  std::string display_name;
  uint16_t port = 0;
  std::string command;
};

// [a-z][a-z0-9-]{0,31}.
bool IsValidAppName(const std::string& name);
// OK, or InvalidArgument naming what is wrong with `app` (reason
// "invalid_app"): bad name, empty display name or command, port 0, a
// display name or command with control characters.
Status ValidateApp(const AppSpec& app);
// `app.command` with every {port} and {base_url} replaced. `base_url` is
// put in as is: it is built by Berth from ids and app names only.
std::string ExpandAppCommand(const AppSpec& app, uint16_t port, const std::string& base_url);

}  // namespace berth::images
