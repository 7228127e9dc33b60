#include "cli/app.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/client.h"

namespace berth::cli {

namespace {
constexpr const char* kUsageReason = "usage";
constexpr const char* kReportedReason = "already_reported";
}  // namespace

CliContext::CliContext(Environment e, std::istream& i, std::ostream& o, std::ostream& er)
    : env(std::move(e)), in(i), out(o), err(er) {}
CliContext::~CliContext() = default;

std::unique_ptr<CliContext> CliContext::ForProcess() {
  auto ctx = std::make_unique<CliContext>(Environment::Process(), std::cin, std::cout, std::cerr);
  ctx->stdin_is_tty = ::isatty(0) == 1;
  ctx->stderr_is_tty = ::isatty(2) == 1;
  return ctx;
}

std::string CliContext::EndpointUrl() const { return ResolveEndpoint(endpoint_flag, env); }

Result<BerthClient*> CliContext::Client() {
  if (!client_) {
    Result<Endpoint> ep = ParseEndpoint(EndpointUrl());
    if (!ep.ok()) return UsageError(ep.status().message());
    ep->ca_file = !cacert_flag.empty() ? cacert_flag : env.get("BERTH_CACERT").value_or("");
    client_ = std::make_unique<BerthClient>(*ep, ResolveToken(token_flag, env).token);
  }
  return client_.get();
}

Status UsageError(std::string message) { return InvalidArgument(std::move(message), kUsageReason); }
Status AlreadyReported() { return Status(Code::kInternal, "", kReportedReason); }
bool IsUsageError(const Status& s) { return !s.ok() && s.reason() == kUsageReason; }

void OnRun(CLI::App* cmd, CliContext& ctx, std::function<Status()> fn) {
  cmd->callback([&ctx, fn = std::move(fn)] { ctx.action = fn; });
}

void AddOutputFlag(CLI::App* cmd, std::string* format) {
  *format = "table";
  cmd->add_option("-o,--output", *format, "Output format: table (default) or json")
      ->check(CLI::IsMember({"table", "json"}));
}

Status PrintJson(CliContext& ctx, const std::string& raw) {
  nlohmann::json j = nlohmann::json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    ctx.out << raw << "\n";
  } else {
    ctx.out << j.dump(2, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace)
            << "\n";
  }
  return Status::Ok();
}

void PrintError(CliContext& ctx, const std::string& message) {
  ctx.err << "error: " << message << "\n";
}

int Run(int argc, const char* const* argv, CliContext& ctx,
        const std::vector<CommandGroup>& groups) {
  CLI::App app(
      "berth: the command-line client of Berth compute sessions and storage folders.\n"
      "Endpoint: --endpoint, BERTH_ENDPOINT, `berth login`, or " +
          std::string(kDefaultEndpoint) +
          ".\nToken: --token, BERTH_TOKEN, `berth login`, or a local berthd's admin.token.",
      "berth");
  app.set_version_flag("--version", "berth " BERTH_VERSION);
  app.require_subcommand(0, 1);
  app.fallthrough();  // global flags are accepted after the verb too
  app.add_option("--endpoint", ctx.endpoint_flag,
                 "Berth server URL (http://HOST:PORT or https://HOST[:PORT])");
  app.add_option("--cacert", ctx.cacert_flag,
                 "PEM CA certificate(s) to trust for https:// besides the system's (BERTH_CACERT)");
  app.add_option("--token", ctx.token_flag, "API token");
  for (const CommandGroup& g : groups) g.add(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e, ctx.out, ctx.err);  // --help, --version
    }
    ctx.err << "error: " << e.what() << "\n"
            << "Run '" << argv[0] << " --help' (or add --help after the command) for usage.\n";
    return 2;
  }
  if (!ctx.action) {
    // A group without a verb ("berth folder"): show that group's verbs.
    CLI::App* deepest = &app;
    while (!deepest->get_subcommands().empty()) deepest = deepest->get_subcommands().front();
    ctx.err << deepest->help();
    return 2;
  }
  Status st;
  try {
    st = ctx.action();
  } catch (const std::exception& e) {
    st = Internal(std::string("unexpected failure: ") + e.what());
  }
  if (st.ok()) return ctx.exit_code.value_or(0);
  if (!st.message().empty()) PrintError(ctx, st.message());
  return IsUsageError(st) ? 2 : 1;
}

}  // namespace berth::cli
