// What `--store` / the `store` config key names (SPEC §9), and how such a
// URL is shown: it may carry a password, which never reaches a log line or
// an error message. Pure functions, thread-safe.
#pragma once

#include <string>

namespace berth::store {

// `url` with the password of its user info (postgresql://user:SECRET@host)
// and any `password=` query parameter replaced by "***". Anything else is
// returned as is.
std::string MaskUrlPassword(const std::string& url);

}  // namespace berth::store
