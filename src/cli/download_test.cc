// In-process tests of `folder download --continue` against a scripted server
// that honours (or ignores) Range: resume from the kept part file or a
// partial destination, a complete file left alone, a 200 fallback, and a
// failed transfer keeping its partial file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli/cli_testing.h"

namespace berth::cli {
namespace {

namespace fs = std::filesystem;
using testing::Error;
using testing::Outcome;
using testing::ReadFile;
using testing::TestRequest;
using testing::TestResponse;

class DownloadTest : public testing::CliTest {
 protected:
  // Serves `content_` as data:f.bin, honouring "Range: bytes=N-" unless
  // `ignore_range_`.
  void ServeFile() {
    Serve([this](const TestRequest& r) {
      if (r.path == "/api/v1/folders/data/files") return Error(400, "not_a_directory", "no");
      auto range = r.headers.find("range");
      if (range == r.headers.end() || ignore_range_) {
        return TestResponse{200, "application/octet-stream", content_};
      }
      uint64_t from = std::stoull(range->second.substr(6));
      std::string total = std::to_string(content_.size());
      if (from >= content_.size()) {
        TestResponse res{416, "application/json",
                         R"({"error":{"code":"bad_range","message":"no"}})"};
        res.headers = {{"Content-Range", "bytes */" + total}};
        return res;
      }
      TestResponse res{206, "application/octet-stream", content_.substr(from)};
      res.headers = {{"Content-Range", "bytes " + std::to_string(from) + "-" +
                                           std::to_string(content_.size() - 1) + "/" + total}};
      return res;
    });
  }
  void WriteLocal(const std::string& path, const std::string& data) {
    std::ofstream(path, std::ios::binary) << data;
  }
  std::string LastRange() {
    auto reqs = server_->requests();
    auto h = reqs.back().headers.find("range");
    return h == reqs.back().headers.end() ? "" : h->second;
  }

  std::string content_ = std::string(100000, 'a') + std::string(50000, 'b');
  bool ignore_range_ = false;
};

TEST_F(DownloadTest, ContinueResumesAPartialDestination) {
  ServeFile();
  std::string dest = dir_ + "/f.bin";
  WriteLocal(dest, content_.substr(0, 70000));
  Outcome o = Cli({"folder", "download", "data", "f.bin", "--dest", dest, "--continue"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(LastRange(), "bytes=70000-");
  EXPECT_EQ(ReadFile(dest), content_);
  EXPECT_NE(o.out.find("Resumed"), std::string::npos) << o.out;
}

TEST_F(DownloadTest, ContinueResumesTheKeptPartFile) {
  ServeFile();
  WriteLocal(dir_ + "/.f.bin.berth-part", content_.substr(0, 1234));
  Outcome o = Cli({"folder", "download", "data", "f.bin", "--dest", dir_, "--continue"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(LastRange(), "bytes=1234-");
  EXPECT_EQ(ReadFile(dir_ + "/f.bin"), content_);
  EXPECT_FALSE(fs::exists(dir_ + "/.f.bin.berth-part"));
}

TEST_F(DownloadTest, ContinueOnACompleteFileIsANoOp) {
  ServeFile();
  std::string dest = dir_ + "/f.bin";
  WriteLocal(dest, content_);
  Outcome o = Cli({"folder", "download", "data", "f.bin", "--dest", dest, "--continue"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("already complete"), std::string::npos) << o.out;
  EXPECT_EQ(ReadFile(dest), content_);
}

TEST_F(DownloadTest, ContinueFallsBackToAFullDownloadOn200) {
  ignore_range_ = true;
  ServeFile();
  std::string dest = dir_ + "/f.bin";
  WriteLocal(dest, "garbage that is not a prefix");
  Outcome o = Cli({"folder", "download", "data", "f.bin", "--dest", dest, "--continue"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.err.find("the server sent the whole file"), std::string::npos) << o.err;
  EXPECT_EQ(ReadFile(dest), content_);
}

TEST_F(DownloadTest, WithoutContinueTheDestinationIsReplaced) {
  ServeFile();
  std::string dest = dir_ + "/f.bin";
  WriteLocal(dest, content_.substr(0, 10));
  Outcome o = Cli({"folder", "download", "data", "f.bin", "--dest", dest});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(LastRange(), "");
  EXPECT_EQ(ReadFile(dest), content_);
}

TEST_F(DownloadTest, ABrokenTransferKeepsItsPartialFileForContinue) {
  // Larger than the client's 256 KiB read buffer, so whole buffers land on disk first.
  content_ = std::string(3 << 20, 'c') + "end";
  Serve([this](const TestRequest& r) {
    if (r.path == "/api/v1/folders/data/files") return Error(400, "not_a_directory", "no");
    TestResponse res{200, "application/octet-stream", content_};
    res.cut = true;
    return res;
  });
  Outcome o = Cli({"folder", "download", "data", "f.bin", "--dest", dir_});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("run the same command with --continue"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(dir_ + "/f.bin"));
  std::string part = ReadFile(dir_ + "/.f.bin.berth-part");
  EXPECT_GT(part.size(), 0u);
  EXPECT_EQ(part, content_.substr(0, part.size()));

  ServeFile();  // a server that finishes the job (with Range)
  o = Cli({"folder", "download", "data", "f.bin", "--dest", dir_, "--continue"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(LastRange(), "bytes=" + std::to_string(part.size()) + "-");
  EXPECT_EQ(ReadFile(dir_ + "/f.bin"), content_);
  EXPECT_FALSE(fs::exists(dir_ + "/.f.bin.berth-part"));
}

TEST_F(DownloadTest, AWrongContentRangeIsRefused) {
  Serve([](const TestRequest& r) {
    if (r.path == "/api/v1/folders/data/files") return Error(400, "not_a_directory", "no");
    TestResponse res{206, "application/octet-stream", "xyz"};
    res.headers = {{"Content-Range", "bytes 0-2/3"}};
    return res;
  });
  std::string dest = dir_ + "/f.bin";
  WriteLocal(dest, "12345");
  Outcome o = Cli({"folder", "download", "data", "f.bin", "--dest", dest, "--continue"});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("expected 206 from byte 5"), std::string::npos) << o.err;
  EXPECT_EQ(ReadFile(dest), "12345");
}

}  // namespace
}  // namespace berth::cli
