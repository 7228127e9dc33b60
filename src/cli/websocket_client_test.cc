// RunTerminal against a tiny hand-written WebSocket server (plain sockets,
// RFC 6455 framing, no Beast), so the test exercises the client's handshake
// and framing against an independent implementation.
#include "cli/websocket_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "common/unique_fd.h"

namespace berth::cli {
namespace {

bool ReadExact(int fd, void* buf, size_t n) {
  char* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t w = ::write(fd, s.data() + off, s.size() - off);
    if (w <= 0) return;
    off += static_cast<size_t>(w);
  }
}

struct Frame {
  int opcode = -1;  // -1: connection closed
  std::string payload;
};

// One client frame (clients always mask).
Frame ReadFrame(int fd) {
  unsigned char h[2];
  if (!ReadExact(fd, h, 2)) return {};
  Frame f;
  f.opcode = h[0] & 0x0f;
  uint64_t len = h[1] & 0x7f;
  if (len == 126) {
    unsigned char b[2];
    ReadExact(fd, b, 2);
    len = (b[0] << 8) | b[1];
  } else if (len == 127) {
    unsigned char b[8];
    ReadExact(fd, b, 8);
    len = 0;
    for (unsigned char c : b) len = (len << 8) | c;
  }
  unsigned char mask[4] = {0, 0, 0, 0};
  if (h[1] & 0x80) ReadExact(fd, mask, 4);
  f.payload.resize(len);
  if (len > 0) ReadExact(fd, f.payload.data(), len);
  for (size_t i = 0; i < len; ++i) f.payload[i] ^= static_cast<char>(mask[i % 4]);
  return f;
}

// One unmasked server frame (payload < 126 bytes).
void WriteFrame(int fd, int opcode, const std::string& payload) {
  std::string f;
  f += static_cast<char>(0x80 | opcode);
  f += static_cast<char>(payload.size());
  WriteAll(fd, f + payload);
}

std::string AcceptKey(const std::string& key) {
  std::string in = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  unsigned char out[64];
  int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n));
}

// Serves one connection with `script(fd, request_head)` after the upgrade
// (or instead of it, when `upgrade` is false).
class TinyWsServer {
 public:
  using Script = std::function<void(int fd, const std::string& head)>;
  TinyWsServer(bool upgrade, Script script) {
    listen_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_.get(), 1);
    socklen_t len = sizeof addr;
    ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, upgrade, script] {
      UniqueFd conn(::accept(listen_.get(), nullptr, nullptr));
      std::string head;
      char c;
      while (head.find("\r\n\r\n") == std::string::npos && ::read(conn.get(), &c, 1) == 1) {
        head += c;
      }
      if (upgrade) {
        std::string key;
        size_t k = head.find("Sec-WebSocket-Key: ");
        if (k != std::string::npos) {
          key = head.substr(k + 19, head.find("\r\n", k) - k - 19);
        }
        WriteAll(conn.get(),
                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                 "Upgrade\r\nSec-WebSocket-Accept: " +
                     AcceptKey(key) + "\r\n\r\n");
      }
      script(conn.get(), head);
    });
  }
  ~TinyWsServer() { thread_.join(); }

  Endpoint endpoint() const {
    Endpoint e;
    e.host = "127.0.0.1";
    e.port = std::to_string(port_);
    return e;
  }

 private:
  UniqueFd listen_;
  int port_ = 0;
  std::thread thread_;
};

struct Pipe {
  Pipe() {
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0);
    r.reset(p[0]);
    w.reset(p[1]);
  }
  UniqueFd r, w;
};

std::string Drain(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(RunTerminalTest, ForwardsBytesBothWaysAndResizes) {
  std::string head, resize, typed, close_payload;
  TinyWsServer server(true, [&](int fd, const std::string& h) {
    head = h;
    Frame f = ReadFrame(fd);  // the resize message comes first, as text
    if (f.opcode == 1) resize = f.payload;
    WriteFrame(fd, 2, "welcome\r\n");
    WriteFrame(fd, 1, "{\"type\":\"ping\"}");  // control text: not printed
    f = ReadFrame(fd);                         // what the user typed
    while (f.opcode == 2 && f.payload.find('\n') == std::string::npos) {
      typed += f.payload;
      f = ReadFrame(fd);
    }
    typed += f.payload;
    WriteFrame(fd, 2, "out:" + typed);
    WriteFrame(fd, 8, std::string("\x03\xe8", 2));  // close, 1000 normal
    f = ReadFrame(fd);                              // the client's close reply
    close_payload = f.opcode == 8 ? "closed" : "no close reply";
  });
  Pipe in, out;
  WriteAll(in.w.get(), "ls -la\n");
  TerminalIo io;
  io.in_fd = in.r.get();
  io.out_fd = out.w.get();
  io.window_size = [] { return WindowSize{120, 40}; };
  Status st = RunTerminal(server.endpoint(), "/api/v1/sessions/s1/terminal?cols=120&rows=40",
                          {{"Authorization", "Bearer tok"}}, io);
  ASSERT_TRUE(st.ok()) << st.message();
  out.w.reset();
  EXPECT_EQ(Drain(out.r.get()), "welcome\r\nout:ls -la\n");
  EXPECT_EQ(head.rfind("GET /api/v1/sessions/s1/terminal?cols=120&rows=40 HTTP/1.1\r\n", 0), 0u)
      << head;
  EXPECT_NE(head.find("Authorization: Bearer tok\r\n"), std::string::npos) << head;
  EXPECT_EQ(resize, "{\"type\":\"resize\",\"cols\":120,\"rows\":40}");
  EXPECT_EQ(typed, "ls -la\n");
  EXPECT_EQ(close_payload, "closed");
}

TEST(RunTerminalTest, DeclinedUpgradeIsAnError) {
  TinyWsServer server(false, [](int fd, const std::string&) {
    std::string body =
        R"({"error":{"code":"session_not_found","message":"no session named 's9'"}})";
    WriteAll(fd, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  });
  Pipe in, out;
  TerminalIo io;
  io.in_fd = in.r.get();
  io.out_fd = out.w.get();
  Status st = RunTerminal(server.endpoint(), "/api/v1/sessions/s9/terminal", {}, io);
  EXPECT_EQ(st.code(), Code::kFailedPrecondition) << st.message();
  EXPECT_NE(st.message().find("declined"), std::string::npos) << st.message();
}

TEST(RunTerminalTest, LostConnectionIsAnError) {
  TinyWsServer server(true, [](int fd, const std::string&) {
    ReadFrame(fd);
    WriteFrame(fd, 2, "bye");
    ::shutdown(fd, SHUT_RDWR);  // no close frame
  });
  Pipe in, out;
  TerminalIo io;
  io.in_fd = in.r.get();
  io.out_fd = out.w.get();
  Status st = RunTerminal(server.endpoint(), "/t", {}, io);
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.message();
  out.w.reset();
  EXPECT_EQ(Drain(out.r.get()), "bye");
}

}  // namespace
}  // namespace berth::cli
