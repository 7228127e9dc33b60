#include "images/layer_import.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "common/fs_util.h"
#include "images/image_store.h"

namespace berth::images {
namespace {

namespace fs = std::filesystem;

struct Entry {
  std::string path;
  char type = 'f';   // f file, d dir, l symlink, h hardlink
  std::string data;  // file contents or link target
};

void WriteTar(const std::string& path, const std::vector<Entry>& entries, bool gzip = false) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip) archive_write_add_filter_gzip(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (const auto& e : entries) {
    archive_entry* en = archive_entry_new();
    archive_entry_set_pathname(en, e.path.c_str());
    archive_entry_set_uid(en, 0);
    archive_entry_set_gid(en, 0);
    archive_entry_set_mtime(en, 1700000000, 0);
    switch (e.type) {
      case 'd':
        archive_entry_set_filetype(en, AE_IFDIR);
        archive_entry_set_perm(en, 0755);
        break;
      case 'l':
        archive_entry_set_filetype(en, AE_IFLNK);
        archive_entry_set_perm(en, 0777);
        archive_entry_set_symlink(en, e.data.c_str());
        break;
      case 'h':
        archive_entry_set_filetype(en, AE_IFREG);
        archive_entry_set_perm(en, 0644);
        archive_entry_set_hardlink(en, e.data.c_str());
        break;
      default:
        archive_entry_set_filetype(en, AE_IFREG);
        archive_entry_set_perm(en, 0644);
        archive_entry_set_size(en, e.data.size());
    }
    ASSERT_EQ(archive_write_header(a, en), ARCHIVE_OK) << archive_error_string(a);
    if (e.type == 'f') archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(en);
  }
  archive_write_close(a);
  archive_write_free(a);
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-import-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    ASSERT_TRUE(MkdirAll(dir_ + "/src").ok());
    auto store = ImageStore::Open({.root = dir_ + "/images"});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }
  void TearDown() override { EXPECT_TRUE(RemoveTree(dir_).ok()); }

  std::vector<Entry> Layer1() {
    return {{"etc", 'd', ""},
            {"etc/passwd", 'f', "root:x:0:0:root:/root:/bin/sh\n"},
            {"etc/group", 'f', "root:x:0:\n"},
            {"d", 'd', ""},
            {"d/x", 'f', "x"},
            {"d/y", 'f', "y"},
            {"a.txt", 'f', "a"},
            {"keep.txt", 'f', "old"},
            {"link", 'l', "/etc/passwd"},
            {"gone", 'd', ""},
            {"gone/f", 'f', "f"}};
  }
  std::vector<Entry> Layer2() {
    return {{"d", 'd', ""},
            {"d/z", 'f', "z"},  // before the marker: must survive it
            {"d/.wh..wh..opq", 'f', ""},
            {".wh.a.txt", 'f', ""},
            {".wh.gone", 'f', ""},
            {"keep.txt", 'f', "new"},
            {"hl", 'h', "keep.txt"}};
  }

  void CheckResult(const ImageInfo& info) {
    const std::string r = info.rootfs;
    EXPECT_FALSE(fs::exists(r + "/d/x"));
    EXPECT_FALSE(fs::exists(r + "/d/y"));
    EXPECT_EQ(*ReadFile(r + "/d/z"), "z");
    EXPECT_FALSE(fs::exists(r + "/a.txt"));
    EXPECT_FALSE(fs::exists(r + "/gone"));
    EXPECT_FALSE(fs::exists(r + "/d/.wh..wh..opq"));
    EXPECT_EQ(*ReadFile(r + "/keep.txt"), "new");
    EXPECT_EQ(*ReadFile(r + "/hl"), "new");
    EXPECT_TRUE(fs::is_symlink(r + "/link"));
    EXPECT_EQ(fs::read_symlink(r + "/link"), "/etc/passwd");
    // The session user was added.
    EXPECT_NE(ReadFile(r + "/etc/passwd")->find("work:x:1000:1000:"), std::string::npos);
    EXPECT_NE(ReadFile(r + "/etc/group")->find("work:x:1000:"), std::string::npos);
    EXPECT_EQ(info.digest.rfind("sha256:", 0), 0u);
  }

  std::string dir_;
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImportTest, DockerSaveArchiveWithWhiteouts) {
  const std::string s = dir_ + "/src";
  ASSERT_TRUE(MkdirAll(s + "/l1").ok());
  ASSERT_TRUE(MkdirAll(s + "/l2").ok());
  WriteTar(s + "/l1/layer.tar", Layer1());
  WriteTar(s + "/l2/layer.tar", Layer2());
  ASSERT_TRUE(
      WriteFileAtomic(s + "/cfg.json", R"({"config":{"Env":["PATH=/usr/bin:/bin","FOO=1"]}})")
          .ok());
  ASSERT_TRUE(
      WriteFileAtomic(
          s + "/manifest.json",
          R"([{"Config":"cfg.json","RepoTags":["t:1"],"Layers":["l1/layer.tar","l2/layer.tar"]}])")
          .ok());
  WriteTar(dir_ + "/image.tar", {{"l1", 'd', ""},
                                 {"l1/layer.tar", 'f', *ReadFile(s + "/l1/layer.tar")},
                                 {"l2", 'd', ""},
                                 {"l2/layer.tar", 'f', *ReadFile(s + "/l2/layer.tar")},
                                 {"cfg.json", 'f', *ReadFile(s + "/cfg.json")},
                                 {"manifest.json", 'f', *ReadFile(s + "/manifest.json")}});
  auto info = store_->Import("tiny", dir_ + "/image.tar");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  CheckResult(*info);
  EXPECT_EQ(info->env, (std::vector<std::string>{"PATH=/usr/bin:/bin", "FOO=1"}));
  EXPECT_EQ(info->source, "import:image.tar");
  auto listed = store_->List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "tiny");
  EXPECT_EQ(store_->Import("tiny", dir_ + "/image.tar").status().code(), Code::kAlreadyExists);
  EXPECT_TRUE(store_->Import("tiny", dir_ + "/image.tar", /*replace=*/true).ok());
  EXPECT_TRUE(store_->Remove("tiny").ok());
  EXPECT_EQ(store_->Get("tiny").status().code(), Code::kNotFound);
}

TEST_F(ImportTest, OciLayoutWithGzipLayers) {
  const std::string s = dir_ + "/src";
  WriteTar(s + "/l1.tgz", Layer1(), true);
  WriteTar(s + "/l2.tgz", Layer2(), true);
  std::string manifest = R"({"schemaVersion":2,"config":{"digest":"sha256:cfg"},"layers":[)"
                         R"({"digest":"sha256:l1"},{"digest":"sha256:l2"}]})";
  WriteTar(dir_ + "/oci.tar",
           {{"oci-layout", 'f', R"({"imageLayoutVersion":"1.0.0"})"},
            {"index.json", 'f', R"({"schemaVersion":2,"manifests":[{"digest":"sha256:man"}]})"},
            {"blobs/sha256/man", 'f', manifest},
            {"blobs/sha256/cfg", 'f', R"({"config":{"Env":["A=b"]}})"},
            {"blobs/sha256/l1", 'f', *ReadFile(s + "/l1.tgz")},
            {"blobs/sha256/l2", 'f', *ReadFile(s + "/l2.tgz")}});
  auto info = store_->Import("oci", dir_ + "/oci.tar");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  CheckResult(*info);
  EXPECT_EQ(info->env, (std::vector<std::string>{"A=b"}));
}

TEST_F(ImportTest, RefusesEscapesAndLeavesNothing) {
  const std::string s = dir_ + "/src";
  WriteTar(s + "/evil.tar", {{"../../escaped", 'f', "x"}});
  WriteTar(dir_ + "/evil-image.tar", {{"manifest.json", 'f', R"([{"Layers":["evil.tar"]}])"},
                                      {"evil.tar", 'f', *ReadFile(s + "/evil.tar")}});
  auto info = store_->Import("evil", dir_ + "/evil-image.tar");
  EXPECT_EQ(info.status().code(), Code::kInvalidArgument) << info.status().ToString();
  EXPECT_FALSE(fs::exists(dir_ + "/escaped"));
  EXPECT_FALSE(fs::exists(dir_ + "/images/escaped"));
  for (const auto& e : fs::directory_iterator(dir_ + "/images"))
    EXPECT_EQ(e.path().filename().string().rfind(".build-", 0), std::string::npos) << e.path();

  WriteTar(dir_ + "/manifest-escape.tar",
           {{"manifest.json", 'f', R"([{"Layers":["../../etc/shadow"]}])"}});
  EXPECT_EQ(store_->Import("evil2", dir_ + "/manifest-escape.tar").status().code(),
            Code::kInvalidArgument);
  WriteTar(dir_ + "/empty.tar", {{"hello", 'f', "x"}});
  EXPECT_EQ(store_->Import("evil3", dir_ + "/empty.tar").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->Import("Bad Name", dir_ + "/empty.tar").status().code(),
            Code::kInvalidArgument);
}

// Regression (fuzz/image_import_fuzzer): manifests of the wrong JSON shape
// threw nlohmann::type_error out of ImportImageArchive, which berthd turned
// into a 500 and left the .build- dir behind. They are refusals.
TEST_F(ImportTest, MalformedManifestsAreErrorsNotExceptions) {
  const std::vector<Entry> cases[] = {
      {{"manifest.json", 'f', R"([{"Layers":[1]}])"}},
      {{"manifest.json", 'f', R"([{"Layers":"l.tar"}])"}},
      {{"manifest.json", 'f', R"([{"Layers":[],"Config":{}}])"}},
      {{"index.json", 'f', "[1]"}},
      {{"index.json", 'f', R"({"manifests":5})"}},
      {{"index.json", 'f', R"({"manifests":[5]})"}},
      {{"index.json", 'f', R"({"manifests":[{"digest":7}]})"}},
      {{"index.json", 'f', R"({"manifests":[{"digest":"sha256:m"}]})"},
       {"blobs/sha256/m", 'f', "[]"}},
      {{"index.json", 'f', R"({"manifests":[{"digest":"sha256:m"}]})"},
       {"blobs/sha256/m", 'f', R"({"layers":[{"digest":"sha256:x"}],"config":"c"})"}},
  };
  int i = 0;
  for (const auto& entries : cases) {
    const std::string tar = dir_ + "/bad" + std::to_string(i++) + ".tar";
    WriteTar(tar, entries);
    auto info = store_->Import("bad", tar);
    EXPECT_EQ(info.status().code(), Code::kInvalidArgument) << tar << ": " << info.status().ToString();
  }
  for (const auto& e : fs::directory_iterator(dir_ + "/images"))
    EXPECT_EQ(e.path().filename().string().rfind(".build-", 0), std::string::npos) << e.path();
}

// Regression (fuzz/layer_import_fuzzer): a pax extended header whose body is
// cut short makes libarchive fail without an error message, and the error
// path appended that NULL to a std::string (SEGV). It is a refusal.
TEST_F(ImportTest, TruncatedPaxHeaderIsAnErrorNotACrash) {
  std::string block(512, '\0');
  auto field = [&block](size_t off, std::string_view v) { block.replace(off, v.size(), v); };
  field(0, "././@PaxHeader");
  field(100, "0000000");                   // mode
  field(108, "0000000");                   // uid
  field(116, "0000000");                   // gid
  field(124, "00000000207");               // size: 135 bytes of pax records
  field(136, "00000000000");               // mtime
  field(156, "x");                         // typeflag: pax extended header
  field(257, std::string_view("ustar\0" "00", 8));
  field(148, "        ");                  // checksum counts itself as spaces
  unsigned sum = 0;
  for (unsigned char c : block) sum += c;
  char chk[8];
  std::snprintf(chk, sizeof chk, "%06o", sum);
  field(148, std::string_view(chk, 7));     // six digits and a NUL, then the space
  const std::string layer = dir_ + "/pax.tar";
  ASSERT_TRUE(WriteFileAtomic(layer, block + std::string(151, '\0')).ok());
  ASSERT_TRUE(MkdirAll(dir_ + "/rootfs").ok());
  Status st = ApplyLayer(layer, dir_ + "/rootfs");
  EXPECT_FALSE(st.ok());
}

TEST_F(ImportTest, SymlinkInTreeIsNotFollowed) {
  // Layer 1 plants a symlink to the host's /tmp; layer 2 writes through it.
  const std::string s = dir_ + "/src";
  const std::string outside = dir_ + "/outside";
  ASSERT_TRUE(MkdirAll(outside).ok());
  WriteTar(s + "/l1.tar", {{"evil", 'l', outside}});
  WriteTar(s + "/l2.tar", {{"evil/pwned", 'f', "x"}});
  WriteTar(dir_ + "/img.tar", {{"manifest.json", 'f', R"([{"Layers":["l1.tar","l2.tar"]}])"},
                               {"l1.tar", 'f', *ReadFile(s + "/l1.tar")},
                               {"l2.tar", 'f', *ReadFile(s + "/l2.tar")}});
  // libarchive replaces the planted symlink by a real directory (or the
  // import fails); either way nothing is written outside the root.
  auto info = store_->Import("sym", dir_ + "/img.tar");
  EXPECT_FALSE(fs::exists(outside + "/pwned"));
  if (info.ok()) EXPECT_FALSE(fs::is_symlink(info->rootfs + "/evil"));
}

TEST_F(ImportTest, WhiteoutThroughSymlinkIsRefused) {
  const std::string s = dir_ + "/src";
  const std::string outside = dir_ + "/outside";
  ASSERT_TRUE(MkdirAll(outside).ok());
  ASSERT_TRUE(WriteFileAtomic(outside + "/precious", "p").ok());
  WriteTar(s + "/l1.tar", {{"evil", 'l', outside}});
  WriteTar(s + "/l2.tar", {{"evil/.wh.precious", 'f', ""}});
  WriteTar(s + "/l3.tar", {{"evil/.wh..wh..opq", 'f', ""}});
  for (const char* second : {"l2.tar", "l3.tar"}) {
    WriteTar(dir_ + "/img.tar",
             {{"manifest.json", 'f', std::string(R"([{"Layers":["l1.tar",")") + second + R"("]}])"},
              {"l1.tar", 'f', *ReadFile(s + "/l1.tar")},
              {second, 'f', *ReadFile(s + "/" + second)}});
    EXPECT_EQ(store_->Import("sym", dir_ + "/img.tar").status().code(), Code::kInvalidArgument);
    EXPECT_TRUE(fs::exists(outside + "/precious")) << second;
  }
}

}  // namespace
}  // namespace berth::images
