// Unit tests of the Docker driver's pieces that need no dockerd: the HTTP
// client against a scripted fake daemon (timeouts, hijack, old API), the
// stream demuxer, the rootfs tar and the image key. The driver itself runs
// in the conformance suite (agent/runtime_conformance_test.cc).
#include "runtime/docker_client.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <thread>

#include "common/fs_util.h"
#include "runtime/docker_image.h"
#include "runtime/docker_runtime.h"

namespace berth::runtime {
namespace {

using std::chrono::milliseconds;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/berth-docker-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)RemoveTree(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A unix-socket server answering each connection's request (read up to the
// end of its header plus Content-Length bytes) with handler(head).
// handler returning std::nullopt: keep the connection open and say nothing.
class FakeDaemon {
 public:
  using Handler = std::function<std::optional<std::string>(const std::string& head)>;
  FakeDaemon(const std::string& path, Handler handler) : path_(path), handler_(std::move(handler)) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeDaemon() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    for (int c : held_) ::close(c);
    ::close(fd_);
    ::unlink(path_.c_str());
  }

 private:
  void Serve() {
    while (!stop_) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::string head;
      char ch;
      while (head.find("\r\n\r\n") == std::string::npos && ::read(c, &ch, 1) == 1) head += ch;
      size_t cl = head.find("Content-Length: ");
      if (cl != std::string::npos) {
        size_t n = std::stoul(head.substr(cl + 16));
        std::string body(n, '\0');
        size_t got = 0;
        while (got < n) {
          ssize_t r = ::read(c, body.data() + got, n - got);
          if (r <= 0) break;
          got += static_cast<size_t>(r);
        }
      }
      auto answer = handler_(head);
      if (!answer) {
        held_.push_back(c);
        continue;
      }
      (void)!::write(c, answer->data(), answer->size());
      ::close(c);
    }
  }

  std::string path_;
  Handler handler_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::vector<int> held_;
  std::thread thread_;
};

std::string Json200(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(DockerClientTest, MissingSocketIsUnavailableNotAHang) {
  auto start = std::chrono::steady_clock::now();
  DockerOptions o;
  o.socket_path = "/nonexistent/berth-docker.sock";
  auto rt = DockerRuntime::Open(o);
  ASSERT_FALSE(rt.ok());
  EXPECT_EQ(rt.status().code(), Code::kUnavailable);
  EXPECT_NE(rt.status().message().find("/nonexistent/berth-docker.sock"), std::string::npos);
  EXPECT_NE(rt.status().message().find("is dockerd running?"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(DockerClientTest, SilentDaemonTimesOut) {
  TempDir dir;
  FakeDaemon daemon(dir.path() + "/d.sock", [](const std::string&) { return std::nullopt; });
  auto start = std::chrono::steady_clock::now();
  DockerClient client(dir.path() + "/d.sock");
  auto r = client.Request("GET", "/version", "", milliseconds(300));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("did not answer"), std::string::npos) << r.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(DockerClientTest, OldApiIsFailedPrecondition) {
  TempDir dir;
  FakeDaemon daemon(dir.path() + "/d.sock", [](const std::string&) {
    return Json200(R"({"Version":"19.03.15","ApiVersion":"1.40"})");
  });
  DockerOptions o;
  o.socket_path = dir.path() + "/d.sock";
  auto rt = DockerRuntime::Open(o);
  ASSERT_FALSE(rt.ok());
  EXPECT_EQ(rt.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(rt.status().message().find("1.40"), std::string::npos) << rt.status().message();
}

TEST(DockerClientTest, RequestUsesApiPrefixAndReturnsBody) {
  TempDir dir;
  std::string seen;
  FakeDaemon daemon(dir.path() + "/d.sock", [&](const std::string& head) {
    seen = head.substr(0, head.find("\r\n"));
    return Json200(R"({"ok":true})");
  });
  auto client = DockerClient(dir.path() + "/d.sock").WithApiPrefix("/v1.41");
  auto r = client.Request("GET", "/containers/x/json", "", milliseconds(2000));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, R"({"ok":true})");
  EXPECT_EQ(seen, "GET /v1.41/containers/x/json HTTP/1.1");
}

TEST(DockerClientTest, HijackLeavesTheStreamInTheSocket) {
  TempDir dir;
  FakeDaemon daemon(
      dir.path() + "/d.sock", [](const std::string& head) -> std::optional<std::string> {
        if (head.find("/exec/bad/start") != std::string::npos)
          return "HTTP/1.1 409 Conflict\r\nContent-Length: 30\r\n\r\n{\"message\":\"is not "
                 "running\"}\r\n";
        // Header and the first stream bytes in one write.
        return std::string("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n") +
               std::string("\x01\0\0\0\0\0\0\x02hi", 10);
      });
  DockerClient client(dir.path() + "/d.sock");
  HttpResponse err;
  auto fd = client.Hijack("/exec/good/start", "{}", milliseconds(2000), &err);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  ASSERT_TRUE(fd->valid());
  char buf[64];
  std::string got;
  ssize_t n;
  while ((n = ::read(fd->get(), buf, sizeof(buf))) > 0) got.append(buf, static_cast<size_t>(n));
  StreamDemuxer d;
  d.Feed(got.data(), got.size());
  EXPECT_EQ(d.out(), "hi");

  auto bad = client.Hijack("/exec/bad/start", "{}", milliseconds(2000), &err);
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->valid());
  EXPECT_EQ(err.status, 409u);
  EXPECT_EQ(DockerErrorMessage(err), "is not running");
}

TEST(StreamDemuxerTest, FramesSplitAnywhere) {
  std::string wire;
  auto frame = [&](char stream, const std::string& payload) {
    wire += stream;
    wire += std::string(3, '\0');
    uint32_t n = static_cast<uint32_t>(payload.size());
    for (int shift : {24, 16, 8, 0}) wire += static_cast<char>((n >> shift) & 0xff);
    wire += payload;
  };
  frame(1, "out1 ");
  frame(2, "err1");
  frame(1, std::string(70000, 'x'));
  frame(3, "daemon");
  for (size_t step : {1u, 3u, 8u, 100u, 1u << 20}) {
    StreamDemuxer d;
    for (size_t i = 0; i < wire.size(); i += step)
      d.Feed(wire.data() + i, std::min(step, wire.size() - i));
    EXPECT_EQ(d.out(), "out1 " + std::string(70000, 'x')) << step;
    EXPECT_EQ(d.err(), "err1daemon") << step;
    EXPECT_EQ(d.pending(), 0u);
  }
  StreamDemuxer merged(true);
  merged.Feed(wire.data(), wire.size());
  EXPECT_EQ(merged.out().substr(0, 9), "out1 err1");
}

TEST(RootfsTarTest, KeepsOwnersModesLinksAndNames) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (chown)";
  TempDir dir;
  const std::string root = dir.path() + "/img/rootfs";
  ASSERT_TRUE(MkdirAll(root + "/usr/bin").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/usr/bin/sudo", "binary", 04755).ok());
  ASSERT_EQ(::chmod((root + "/usr/bin/sudo").c_str(), 04755), 0);
  ASSERT_TRUE(WriteFileAtomic(root + "/usr/bin/a", std::string(3 << 20, 'a')).ok());
  ASSERT_EQ(::link((root + "/usr/bin/a").c_str(), (root + "/usr/bin/b").c_str()), 0);
  ASSERT_EQ(::symlink("a", (root + "/usr/bin/c").c_str()), 0);
  ASSERT_TRUE(MkdirAll(root + "/home/work").ok());
  ASSERT_EQ(::chown((root + "/home/work").c_str(), 1000, 1000), 0);

  auto tar = RootfsTar::Open(root);
  ASSERT_TRUE(tar.ok()) << tar.status().ToString();
  std::string all, chunk;
  int pieces = 0;
  for (;;) {
    auto more = (*tar)->Next(&chunk);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    all += chunk;
    ++pieces;
    if (!*more) break;
  }
  EXPECT_GT(pieces, 1);  // streamed, not one blob

  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  ASSERT_EQ(archive_read_open_memory(a, all.data(), all.size()), ARCHIVE_OK);
  std::map<std::string, std::string> seen;  // name -> description
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string d =
        std::to_string(archive_entry_uid(e)) + ":" + std::to_string(archive_entry_mode(e) & 07777);
    if (archive_entry_hardlink(e)) d += " hardlink=" + std::string(archive_entry_hardlink(e));
    if (archive_entry_symlink(e)) d += " symlink=" + std::string(archive_entry_symlink(e));
    seen[archive_entry_pathname(e)] = d;
  }
  archive_read_free(a);
  EXPECT_EQ(seen["usr/bin/sudo"], "0:2541");  // 04755
  EXPECT_EQ(seen["home/work/"], "1000:493");  // 0755; tar marks dirs with a slash
  EXPECT_EQ(seen["usr/bin/c"], "0:511 symlink=a");
  // One of a/b carries the data, the other is a hard link to it.
  bool linked = seen["usr/bin/b"].find("hardlink=usr/bin/a") != std::string::npos ||
                seen["usr/bin/a"].find("hardlink=usr/bin/b") != std::string::npos;
  EXPECT_TRUE(linked) << seen["usr/bin/a"] << " / " << seen["usr/bin/b"];
  for (const auto& [name, _] : seen) EXPECT_NE(name[0], '/') << name;
}

TEST(ImageRefTest, ChangesWithImageJson) {
  TempDir dir;
  const std::string root = dir.path() + "/My_Image/rootfs";
  ASSERT_TRUE(MkdirAll(root).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.path() + "/My_Image/image.json",
                              R"({"name":"My_Image","created_at":"1"})")
                  .ok());
  auto a = ImageRefForRootfs(root);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->repo, "berth/my-image");
  EXPECT_EQ(a->tag.size(), 16u);
  EXPECT_EQ(ImageRefForRootfs(root + "/")->ref(), a->ref());
  ASSERT_TRUE(WriteFileAtomic(dir.path() + "/My_Image/image.json",
                              R"({"name":"My_Image","created_at":"2"})")
                  .ok());
  EXPECT_NE(ImageRefForRootfs(root)->tag, a->tag);
  EXPECT_EQ(ImageRefForRootfs(dir.path() + "/nope").status().code(), Code::kFailedPrecondition);
}

// Needs a Docker Engine ($BERTH_DOCKER_SOCKET, see scripts/dockerd.sh);
// skips otherwise.
TEST(DockerImageTest, ReimportsWhenTheImageChanges) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  const char* sock = std::getenv("BERTH_DOCKER_SOCKET");
  DockerOptions o;
  o.socket_path = sock != nullptr && *sock ? sock : "/var/run/docker.sock";
  auto rt = DockerRuntime::Open(o);
  if (!rt.ok()) GTEST_SKIP() << "no Docker Engine: " << rt.status().message();
  TempDir dir;
  const std::string image_dir = dir.path() + "/berth-unit-" + std::to_string(::getpid());
  ASSERT_TRUE(MkdirAll(image_dir + "/rootfs/etc").ok());
  ASSERT_TRUE(WriteFileAtomic(image_dir + "/rootfs/etc/hostname", "x\n").ok());
  ASSERT_TRUE(WriteFileAtomic(image_dir + "/image.json", R"({"created_at":"1"})").ok());
  auto first = (*rt)->EnsureImage(image_dir + "/rootfs");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*(*rt)->EnsureImage(image_dir + "/rootfs"), *first);  // found, not re-imported
  ASSERT_TRUE(WriteFileAtomic(image_dir + "/image.json", R"({"created_at":"2"})").ok());
  auto second = (*rt)->EnsureImage(image_dir + "/rootfs");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(*second, *first);
  auto gone =
      (*rt)->client().Request("GET", "/images/" + *first + "/json", "", milliseconds(10000));
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->status, 404u);  // the older tag was removed
  auto rm = (*rt)->client().Request("DELETE", "/images/" + *second, "", milliseconds(10000));
  ASSERT_TRUE(rm.ok());
  EXPECT_EQ(rm->status, 200u) << rm->body;
  // A rootfs that is not a directory is a clear error, not an import.
  EXPECT_EQ((*rt)->EnsureImage(image_dir + "/nope").status().code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace berth::runtime
