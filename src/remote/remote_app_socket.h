// StartRemoteAppSocket: the manager's end of one app connection through a
// node agent (AgentHub::DialApp). Returns one end of a socketpair, which the
// apps proxy uses as it would a TCP connection to a local app; a detached
// pump thread moves the bytes between the other end and the stream's
// kAppData/kAppEof frames (remote/socket_pump.h) and ends when both
// directions ended, when the caller closed its end, or when the stream or
// the connection went away (then the caller's end sees EOF or a reset).
//
// Thread-safety: a free function; safe from any thread.
#pragma once

#include <cstdint>
#include <memory>

#include "common/result.h"
#include "remote/hub_link.h"

namespace berth::remote {

// `stream`: an opened kAppConnect stream the agent answered with kReply.
// The caller owns the returned fd (non-blocking, close-on-exec).
Result<int> StartRemoteAppSocket(std::shared_ptr<HubLink> link, uint32_t id,
                                 std::shared_ptr<HubStream> stream);

}  // namespace berth::remote
