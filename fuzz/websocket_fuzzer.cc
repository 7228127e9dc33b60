// Fuzzes the terminal WebSocket as berthd runs it (src/http/server.cc,
// RunWebSocket; src/manager/terminal_session.cc): the input is the raw bytes
// a client sends after the upgrade (masked frames, fragments, control
// frames, garbage), read by Beast's server-side websocket stream with
// berthd's message limit, and every message handed to
// TerminalSession::OnMessage: binary frames go to the terminal, text frames
// are the JSON control messages ({"type":"resize",...}). The terminal is a
// fake whose resizes must stay within the bounds OnMessage promises, and a
// malformed control message must close the socket (1007), never throw.
#include <utility>  // before Asio (Boost 1.74)

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <atomic>
#include <cstdint>
#include <functional>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "manager/terminal_session.h"
#include "runtime/container_runtime.h"

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace bws = boost::beast::websocket;

namespace {

constexpr int kMaxMessages = 256;  // bounds one run whatever the input

// A terminal that takes input like a PTY whose shell never reads (one end of
// a socketpair: writes fill its buffer, reads find nothing) and checks
// resizes.
class FakeTty : public berth::runtime::TtyProcess {
 public:
  FakeTty() {
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds_) != 0)
      std::abort();
  }
  ~FakeTty() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int fd() const override { return fds_[0]; }
  int exit_fd() const override { return -1; }
  berth::Status Resize(uint16_t cols, uint16_t rows) override {
    if (cols == 0 || rows == 0 || cols > 1000 || rows > 1000) std::abort();
    return berth::Status::Ok();
  }
  berth::Status Kill(int) override { return berth::Status::Ok(); }
  bool Wait(std::chrono::milliseconds) override { return true; }

 private:
  int fds_[2];
};

// The server's side of the socket: records a close (after which the server
// reads no more messages) and accepts every send.
class FakeSender : public berth::http::WebSocketSender {
 public:
  bool SendBinary(std::string) override { return true; }
  bool SendText(std::string) override { return true; }
  void Close(berth::http::WebSocketClose) override { closed = true; }
  void ResumeReading() override {}
  void SetDrainCallback(std::function<void()>) override {}
  std::atomic<bool> closed{false};
};

bhttp::request<bhttp::empty_body> UpgradeRequest() {
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, "/api/v1/sessions/s/terminal", 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::upgrade, "websocket");
  req.set(bhttp::field::connection, "upgrade");
  req.set(bhttp::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(bhttp::field::sec_websocket_version, "13");
  return req;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  boost::asio::io_context ioc;
  beast::test::stream peer(ioc);
  beast::test::stream sock(ioc, beast::string_view(reinterpret_cast<const char*>(data), size));
  sock.connect(peer);
  sock.close_remote();  // end of input is the client going away

  bws::stream<beast::test::stream> ws(std::move(sock));
  ws.read_message_max(1 << 20);  // as RunWebSocket
  beast::error_code ec;
  ws.accept(UpgradeRequest(), ec);
  if (ec) std::abort();  // the upgrade itself is fixed and valid

  auto sender = std::make_shared<FakeSender>();
  berth::manager::TerminalSession session(std::make_unique<FakeTty>());
  session.OnOpen(sender);
  for (int i = 0; i < kMaxMessages && !sender->closed; ++i) {
    beast::flat_buffer buf;
    ws.read(buf, ec);
    if (ec) break;
    // kPause (the terminal's input is full) is the server's cue to stop
    // reading until ResumeReading; the fuzzer reads on: input past the
    // bound must still be held, not lost or unbounded.
    (void)session.OnMessage(ws.got_binary(), beast::buffers_to_string(buf.data()));
  }
  session.OnClose();
  return 0;
}
