#include "images/image_manifest.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "common/fs_util.h"

namespace berth::images {
namespace {

class ImageManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-manifest-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

ImageInfo Sample() {
  ImageInfo i;
  i.name = "python";
  i.rootfs = "/not/stored";
  i.created_at = "2026-01-02T03:04:05Z";
  i.size_bytes = 123456789012;
  i.digest = "sha256:abc";
  i.source = "recipe:python";
  i.description = "Python 3";
  i.skeleton = "/etc/skel2";
  i.uid = 1001;
  i.gid = 1002;
  i.env = {"LANG=C.UTF-8", "PATH=/usr/bin"};
  return i;
}

TEST_F(ImageManifestTest, WriteThenReadRoundTrips) {
  ASSERT_TRUE(WriteImageManifest(dir_, Sample()).ok());
  std::string text;
  auto back = ReadImageManifest(dir_, &text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(text, *ReadFile(dir_ + "/image.json"));
  EXPECT_EQ(text, FormatImageManifest(Sample()));
  const ImageInfo want = Sample();
  EXPECT_EQ(back->name, want.name);
  EXPECT_EQ(back->rootfs, "");  // not stored
  EXPECT_EQ(back->created_at, want.created_at);
  EXPECT_EQ(back->size_bytes, want.size_bytes);
  EXPECT_EQ(back->digest, want.digest);
  EXPECT_EQ(back->source, want.source);
  EXPECT_EQ(back->description, want.description);
  EXPECT_EQ(back->skeleton, want.skeleton);
  EXPECT_EQ(back->uid, want.uid);
  EXPECT_EQ(back->gid, want.gid);
  EXPECT_EQ(back->env, want.env);
}

// Manifests written before a field existed still read, with the defaults.
TEST_F(ImageManifestTest, MissingFieldsTakeDefaults) {
  auto i = ParseImageManifest(R"({"name":"old"})");
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->name, "old");
  EXPECT_EQ(i->skeleton, "/etc/skel");
  EXPECT_EQ(i->uid, 1000u);
  EXPECT_EQ(i->gid, 1000u);
  EXPECT_TRUE(i->env.empty());
}

TEST_F(ImageManifestTest, MissingIsNotFoundAndCorruptIsInternal) {
  EXPECT_EQ(ReadImageManifest(dir_).status().code(), Code::kNotFound);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/image.json", "[1,2").ok());
  std::string text;
  EXPECT_EQ(ReadImageManifest(dir_, &text).status().code(), Code::kInternal);
  EXPECT_EQ(text, "[1,2");  // the bytes still come back (the Docker driver keys on them)
  EXPECT_EQ(ParseImageManifest(R"({"uid":"root"})").status().code(), Code::kInternal);
}

}  // namespace
}  // namespace berth::images
