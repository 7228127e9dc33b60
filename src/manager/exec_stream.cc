#include "manager/exec_stream.h"

#include <exception>

#include "api/exec_ndjson.h"

namespace berth::manager {

ExecStream::ExecStream(std::optional<ExecSlots::Slot> slot, runtime::ExecOptions options, RunFn run,
                       size_t max_buffered)
    : max_buffered_(max_buffered), slot_(std::move(slot)) {
  thread_ = std::thread([this, o = std::move(options), r = std::move(run)]() mutable {
    Run(std::move(o), std::move(r));
  });
}

ExecStream::~ExecStream() {
  {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    wake_ = nullptr;
  }
  room_.notify_all();
  thread_.join();
}

void ExecStream::SetWaker(std::function<void()> wake) {
  std::lock_guard lock(mu_);
  wake_ = std::move(wake);
  if (!buf_.empty() || done_) wake_();
}

bool ExecStream::TryRead(std::string& out) {
  std::lock_guard lock(mu_);
  out += buf_;
  buf_.clear();
  room_.notify_all();
  return !done_;
}

bool ExecStream::Push(std::string line, bool final) {
  std::unique_lock lock(mu_);
  room_.wait(lock, [&] {
    return cancelled_ || final || buf_.empty() || buf_.size() + line.size() <= max_buffered_;
  });
  if (cancelled_) return false;
  buf_ += line;
  done_ = final;
  if (wake_) wake_();
  return true;
}

void ExecStream::Run(runtime::ExecOptions options, RunFn run) {
  options.on_output = [this](runtime::ExecStream s, std::string_view bytes) {
    return Push(api::ExecOutputLine(s == runtime::ExecStream::kStdout
                                        ? api::ExecStreamKind::kStdout
                                        : api::ExecStreamKind::kStderr,
                                    bytes));
  };
  std::string last;
  try {
    Result<runtime::ExecResult> r = run(options);
    if (!r.ok()) {
      last = api::ExecErrorLine(r.status());
    } else if (r->timed_out) {
      last = api::ExecTimeoutLine(r->exit_code, options.timeout.count());
    } else {
      last = api::ExecExitLine(r->exit_code);
    }
  } catch (const std::exception& e) {
    last = api::ExecErrorLine(Internal(std::string("exec failed: ") + e.what()));
  }
  slot_.reset();  // the command has ended: its slot is free again
  Push(std::move(last), true);
}

}  // namespace berth::manager
