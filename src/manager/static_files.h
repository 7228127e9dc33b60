// Serves the web UI's built files (web/dist) as the router's fallback:
// files by path beneath the root (never outside it: resolved through
// storage::PathGuard), "index.html" for "/" and for any path without a file
// extension (the single-page app's routes). Hashed assets under /assets/ are
// cached for a year; everything else must be revalidated.
#pragma once

#include <string>

#include "http/router.h"

namespace berth::manager {

// A handler serving `root`; when root has no index.html, a short page that
// says how to build the UI.
http::Handler StaticFiles(std::string root);

}  // namespace berth::manager
