// TestHttpServer: a tiny blocking HTTP/1.1 server on 127.0.0.1 for the CLI's
// tests (plain sockets, no Beast). Each connection is served on its own
// thread; requests are handed to a handler and recorded. Test-only.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace berth::cli::testing {

struct TestRequest {
  std::string method;
  std::string target;                          // raw, as sent
  std::string path;                            // decoded path, no query
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct TestResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool chunked = false;  // send the body with Transfer-Encoding: chunked
  std::vector<std::pair<std::string, std::string>> headers = {};  // extra response headers
  bool cut = false;  // announce the whole body, send half of it, close (a broken transfer)
};

class TestHttpServer {
 public:
  using Handler = std::function<TestResponse(const TestRequest&)>;
  explicit TestHttpServer(Handler handler);
  ~TestHttpServer();

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<TestRequest> requests();

 private:
  void AcceptLoop();
  void Serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::mutex mu_;
  std::vector<TestRequest> requests_;
  std::vector<int> conn_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// "a%20b" → "a b" ('+' stays '+').
std::string PercentDecodeForTest(const std::string& s);

}  // namespace berth::cli::testing
