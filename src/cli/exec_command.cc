#include "cli/exec_command.h"

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

#include "cli/client.h"
#include "cli/url.h"

namespace berth::cli {

namespace {

using nlohmann::json;

// Berth failed (not the command): the message, then 125.
Status BerthFailed(CliContext& ctx, const std::string& message) {
  PrintError(ctx, message);
  ctx.exit_code = kExecBerthFailed;
  return Status::Ok();
}

// Reads our stdin for the command: at most kMaxExecStdin bytes.
Result<std::string> ReadStdin(std::istream& in) {
  std::string data;
  char buf[64 << 10];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > kMaxExecStdin) {
      return InvalidArgument(
          "stdin is larger than 16 MiB; pass big inputs through a folder "
          "(berth folder upload) instead");
    }
  }
  return data;
}

// CLI11 reads NAME's options only before NAME (positionals_at_end keeps
// the command's own options away from us), so `exec NAME --timeout S -- CMD`
// (SPEC §6) reaches us as the command "--timeout S -- CMD": take our options
// off its front when a "--" follows them.
Status TakeOwnOptions(std::vector<std::string>& command, ExecCommandOptions& o) {
  auto sep = std::find(command.begin(), command.end(), "--");
  if (command.empty() || command.front().rfind("-", 0) != 0 || sep == command.end()) {
    return Status::Ok();
  }
  for (auto it = command.begin(); it != sep; ++it) {
    std::string value;
    if (*it == "-n" || *it == "--no-stdin") {
      o.no_stdin = true;
      continue;
    }
    if (*it == "--timeout" && it + 1 != sep) {
      value = *++it;
    } else if (it->rfind("--timeout=", 0) == 0) {
      value = it->substr(10);
    } else {
      return UsageError("unknown option '" + *it +
                        "' (berth session exec NAME [--timeout S] -- CMD...)");
    }
    try {
      size_t used = 0;
      o.timeout_s = std::stoi(value, &used);
      if (used != value.size()) throw std::invalid_argument(value);
    } catch (const std::exception&) {
      return UsageError("--timeout takes whole seconds, not '" + value + "'");
    }
  }
  command.erase(command.begin(), sep);
  return Status::Ok();
}

}  // namespace

int ExecExitCode(const api::ExecEvent& final_line) {
  if (!final_line.exit_code) return kExecBerthFailed;
  int code = *final_line.exit_code;
  // Exit codes are 0-255; a signal death may come as negative or 128+N.
  return code < 0 ? 128 + (-code & 0x7f) : code & 0xff;
}

Status RunExec(CliContext& ctx, const ExecCommandOptions& opts) {
  // Everything after NAME is the command (positionals_at_end), so CLI11 hands
  // us the "--" separator too.
  ExecCommandOptions o = opts;
  std::vector<std::string> command = o.command;
  BERTH_RETURN_IF_ERROR(TakeOwnOptions(command, o));
  if (!command.empty() && command.front() == "--") command.erase(command.begin());
  if (command.empty()) return UsageError("no command given (berth session exec NAME -- CMD...)");
  if (o.timeout_s < 0) return UsageError("--timeout must not be negative");
  json body{{"command", command}};
  if (!o.no_stdin && !ctx.stdin_is_tty) {
    // Not a terminal: whatever is piped in is the command's stdin, bytes as they are.
    auto in = ReadStdin(ctx.in);
    if (!in.ok()) return BerthFailed(ctx, in.status().message());
    body["stdin_b64"] = api::Base64Encode(*in);
  }
  if (o.timeout_s > 0) body["timeout_s"] = o.timeout_s;
  std::string payload;
  try {
    payload = body.dump();
  } catch (const json::exception&) {
    return UsageError("command arguments must be valid UTF-8 text");
  }
  auto client = ctx.Client();
  if (!client.ok()) return BerthFailed(ctx, client.status().message());
  Target t(std::string("/api/v1/sessions"));
  t.Segment(o.name).Segment("exec");
  auto stream = (*client)->OpenPost(t.str(), payload, "application/x-ndjson");
  if (!stream.ok()) return BerthFailed(ctx, stream.status().message());

  std::string pending;
  char buf[64 << 10];
  for (;;) {
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (line.empty()) continue;
      auto e = api::ParseExecLine(line);
      if (!e.ok()) return BerthFailed(ctx, "unexpected response from the server: " + line);
      if (e->final()) {
        if (e->error) PrintError(ctx, e->error->message());
        ctx.exit_code = ExecExitCode(*e);
        return Status::Ok();
      }
      std::ostream& to = *e->kind == api::ExecStreamKind::kStdout ? ctx.out : ctx.err;
      to.write(e->data.data(), static_cast<std::streamsize>(e->data.size()));
      to.flush();
    }
    auto n = (*stream)->Read(buf, sizeof(buf));
    if (!n.ok()) return BerthFailed(ctx, n.status().message());
    if (*n == 0) return BerthFailed(ctx, "the server ended the exec stream without an exit code");
    pending.append(buf, *n);
  }
}

}  // namespace berth::cli
