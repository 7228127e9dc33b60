#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "storage/folder_fs.h"
#include "storage/storage_test_util.h"

namespace berth::storage {
namespace {

struct Item {
  std::string kind;  // "file", "dir", "symlink"
  std::string data;  // content or link target
  uint32_t perm = 0;
  int64_t mtime = 0;
  bool operator==(const Item& o) const {
    return kind == o.kind && data == o.data && perm == o.perm && mtime == o.mtime;
  }
};

std::ostream& operator<<(std::ostream& os, const Item& i) {
  return os << i.kind << "(" << i.data.size() << " bytes, perm " << std::oct << i.perm << std::dec
            << ", mtime " << i.mtime << ")";
}

std::string Drain(ArchiveStream& stream, size_t cap) {
  std::string out;
  std::string buf(cap, '\0');
  for (;;) {
    auto n = stream.Read(buf.data(), cap);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) break;
    EXPECT_LE(*n, cap);
    out.append(buf.data(), *n);
  }
  return out;
}

std::map<std::string, Item> ReadArchive(const std::string& bytes) {
  std::map<std::string, Item> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_all(a);
  EXPECT_EQ(archive_read_open_memory(a, bytes.data(), bytes.size()), ARCHIVE_OK)
      << archive_error_string(a);
  struct archive_entry* e;
  int rc;
  while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    Item item;
    item.perm = archive_entry_perm(e);
    item.mtime = archive_entry_mtime(e);
    switch (archive_entry_filetype(e)) {
      case AE_IFDIR:
        item.kind = "dir";
        break;
      case AE_IFLNK:
        item.kind = "symlink";
        item.data = archive_entry_symlink(e);
        break;
      default: {
        item.kind = "file";
        char buf[8192];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) item.data.append(buf, n);
        EXPECT_GE(n, 0) << archive_error_string(a);
      }
    }
    out[archive_entry_pathname(e)] = item;
  }
  EXPECT_EQ(rc, ARCHIVE_EOF) << archive_error_string(a);
  archive_read_free(a);
  return out;
}

// The same tree as it is on disk, named the way the archive names it.
std::map<std::string, Item> Expected(const std::string& dir, const std::string& prefix) {
  std::map<std::string, Item> out;
  auto add = [&](const std::filesystem::path& p, const std::string& name) {
    struct stat st;
    ::lstat(p.c_str(), &st);
    Item item;
    item.perm = st.st_mode & 07777;
    item.mtime = st.st_mtim.tv_sec;
    if (S_ISDIR(st.st_mode)) {
      item.kind = "dir";
      out[name + "/"] = item;
    } else if (S_ISLNK(st.st_mode)) {
      item.kind = "symlink";
      item.data = std::filesystem::read_symlink(p).string();
      out[name] = item;
    } else if (S_ISREG(st.st_mode)) {
      item.kind = "file";
      item.data = ReadFile(p.string());
      out[name] = item;
    }
  };
  if (!prefix.empty()) add(dir, prefix);
  for (auto it = std::filesystem::recursive_directory_iterator(dir);
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    std::string rel = it->path().lexically_relative(dir).string();
    add(it->path(), prefix.empty() ? rel : prefix + "/" + rel);
  }
  // Symlinks have no meaningful permission bits in either format.
  for (auto& [name, item] : out) {
    if (item.kind == "symlink") item.perm = 0;
  }
  return out;
}

class ArchiveTest : public TempDirTest,
                    public ::testing::WithParamInterface<std::tuple<ArchiveFormat, size_t>> {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    std::filesystem::create_directories(Path("f/photos/2024/empty"));
    WriteFile(Path("f/photos/a.txt"), "alpha");
    WriteFile(Path("f/photos/2024/empty.bin"), "");
    std::string big;
    for (int i = 0; i < 300000; ++i) big += static_cast<char>('a' + (i * 31 + i / 7) % 26);
    WriteFile(Path("f/photos/2024/big.bin"), big);
    std::string binary;
    for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
    WriteFile(Path("f/photos/bytes"), binary);
    WriteFile(Path("f/photos/" + std::string(200, 'L')), "long name");
    WriteFile(Path("f/photos/caf\xc3\xa9.txt"), "utf8 name");
    ::chmod(Path("f/photos/a.txt").c_str(), 0600);
    ::symlink("a.txt", Path("f/photos/link").c_str());
    ::symlink("/etc/passwd", Path("f/photos/2024/abs").c_str());
    ::mkfifo(Path("f/photos/fifo").c_str(), 0600);
    WriteFile(Path("f/photos/.berth-upload-abc"), "partial");
    WriteFile(Path("f/top.txt"), "top");
    auto fs = FolderFs::Open(Path("f"));
    ASSERT_TRUE(fs.ok());
    fs_.emplace(std::move(*fs));
  }

  std::optional<FolderFs> fs_;
};

TEST_P(ArchiveTest, RoundTripsADirectory) {
  auto [format, cap] = GetParam();
  auto stream = fs_->OpenArchive("photos", format);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  auto got = ReadArchive(Drain(**stream, cap));
  auto want = Expected(Path("f/photos"), "photos");
  want.erase("photos/.berth-upload-abc");  // temp files are never archived
  for (auto& [name, item] : got) {
    if (item.kind == "symlink") item.perm = 0;
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(got.count("photos/fifo"), 0u);
  EXPECT_EQ(got["photos/2024/big.bin"].data.size(), 300000u);
  EXPECT_EQ(got["photos/link"].data, "a.txt");
}

TEST_P(ArchiveTest, RootHasNoPrefix) {
  auto [format, cap] = GetParam();
  auto stream = fs_->OpenArchive("", format);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  auto got = ReadArchive(Drain(**stream, cap));
  EXPECT_EQ(got["top.txt"].data, "top");
  EXPECT_EQ(got["photos/a.txt"].data, "alpha");
  EXPECT_EQ(got.count("/"), 0u);
  EXPECT_EQ(got.count("./"), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    FormatsAndReadSizes, ArchiveTest,
    ::testing::Combine(::testing::Values(ArchiveFormat::kZip, ArchiveFormat::kTar),
                       ::testing::Values(size_t{1}, size_t{1000}, size_t{1} << 20)));

TEST_F(TempDirTest, ArchiveOfMissingOrFileIsRefused) {
  ::mkdir(Path("f").c_str(), 0755);
  WriteFile(Path("f/file"), "x");
  auto fs = FolderFs::Open(Path("f"));
  ASSERT_TRUE(fs.ok());
  EXPECT_EQ(fs->OpenArchive("missing", ArchiveFormat::kZip).status().code(), Code::kNotFound);
  EXPECT_EQ(fs->OpenArchive("file", ArchiveFormat::kTar).status().reason(), "not_a_directory");
}

TEST_F(TempDirTest, ArchiveOfEmptyDirectory) {
  ::mkdir(Path("f").c_str(), 0755);
  auto fs = FolderFs::Open(Path("f"));
  ASSERT_TRUE(fs.ok());
  for (ArchiveFormat format : {ArchiveFormat::kZip, ArchiveFormat::kTar}) {
    auto stream = fs->OpenArchive("", format);
    ASSERT_TRUE(stream.ok());
    EXPECT_TRUE(ReadArchive(Drain(**stream, 4096)).empty());
  }
}

}  // namespace
}  // namespace berth::storage
