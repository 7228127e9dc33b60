// ExecStream: the body of a streamed exec (SPEC §5 `POST
// /sessions/{name}/exec` with `Accept: application/x-ndjson`, line format in
// api/exec_ndjson.h).
//
// The command runs on a thread of its own, started by the constructor, not
// on an HTTP worker: the handler returns at once and the server sends the
// body from its I/O threads as lines come (a LiveBodySource). The caller's
// exec slot (manager/exec_slots.h) is held until the command has ended, so
// the per-user and global exec caps bound these threads too.
//
// Memory is bounded: at most kMaxBuffered bytes of lines wait for the
// client. Past that the exec thread blocks in the runtime's output callback,
// the driver stops reading, and the command blocks on its full pipe. A
// client that stops reading is cut off by the server's idle timeout, which
// destroys this object; destruction stops the command (the output callback
// refuses) and joins the thread. That join runs on the server's I/O thread:
// it is short because both drivers kill the command at once when refused
// and do not wait for its exit code (at most the 5 s SIGKILL grace of
// RunSubprocess / StopExec when a process will not die).
//
// Thread-safety: as LiveBodySource (TryRead/SetWaker from the server's
// threads, the waker from the exec thread).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/result.h"
#include "http/request.h"
#include "manager/exec_slots.h"
#include "runtime/container_runtime.h"

namespace berth::manager {

class ExecStream : public http::LiveBodySource {
 public:
  // Runs the command; `options.on_output` is set by ExecStream.
  using RunFn = std::function<Result<runtime::ExecResult>(const runtime::ExecOptions&)>;
  static constexpr size_t kMaxBuffered = 1 << 20;

  ExecStream(std::optional<ExecSlots::Slot> slot, runtime::ExecOptions options, RunFn run,
             size_t max_buffered = kMaxBuffered);
  ~ExecStream() override;
  ExecStream(const ExecStream&) = delete;
  ExecStream& operator=(const ExecStream&) = delete;

  bool TryRead(std::string& out) override;
  // Nothing: every line of the body is an event (a silent command sends no
  // bytes; the server's idle timeout applies to writes only).
  std::string Heartbeat() override { return {}; }
  void SetWaker(std::function<void()> wake) override;

 private:
  void Run(runtime::ExecOptions options, RunFn run);
  // Queues `line`, waiting while the buffer is full; false once cancelled.
  bool Push(std::string line, bool final = false);

  const size_t max_buffered_;
  std::optional<ExecSlots::Slot> slot_;  // released by the exec thread when done
  std::mutex mu_;
  std::condition_variable room_;  // signalled when TryRead takes data or on cancel
  std::string buf_;               // guarded by mu_
  bool done_ = false;             // guarded by mu_: the final line is in buf_
  bool cancelled_ = false;        // guarded by mu_
  std::function<void()> wake_;    // guarded by mu_
  std::thread thread_;            // last: started once the rest is ready
};

}  // namespace berth::manager
