// The /etc/resolv.conf a session gets (SPEC §3 "Network"; --session-dns).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace berth::net {

// With `dns` non-empty: one "nameserver" line per address (each must be an
// IPv4 or IPv6 address, else InvalidArgument). Otherwise the host's
// resolv.conf text with every loopback nameserver (127.0.0.0/8, ::1, e.g.
// systemd-resolved's 127.0.0.53) left out: a session's loopback is its own,
// so those cannot answer from inside it; search/options lines are kept.
Result<std::string> BuildResolvConf(const std::string& host_resolv_conf,
                                    const std::vector<std::string>& dns);

// "a,b" and repeated flags → one list, empty items dropped.
std::vector<std::string> SplitDnsList(const std::vector<std::string>& values);

}  // namespace berth::net
