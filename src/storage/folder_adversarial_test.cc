// Adversarial tests for FolderFs (SPEC §2 "Path safety", §8): a session owns
// the folder's contents and plants symlinks (absolute, relative, to another
// user's folder on the same volume), symlinked directories, hard links and
// FIFOs. Every operation must stay inside the folder or be refused, and
// nothing outside may ever be read, listed, written or removed.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "storage/folder_fs.h"
#include "storage/storage_test_util.h"

namespace berth::storage {
namespace {

constexpr char kSecret[] = "TOPSECRET-of-user-b";
constexpr char kOutside[] = "OUTSIDE-the-volume";

// Every file beneath `root` with its content (symlinks as "-> target"),
// to prove that nothing outside the folder changed.
std::map<std::string, std::string> Snapshot(const std::string& root) {
  std::map<std::string, std::string> out;
  for (auto it = std::filesystem::recursive_directory_iterator(root);
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    const auto& p = it->path();
    std::string rel = p.lexically_relative(root).string();
    if (it->is_symlink()) {
      out[rel] = "-> " + std::filesystem::read_symlink(p).string();
    } else if (it->is_regular_file()) {
      out[rel] = ReadFile(p.string());
    } else {
      out[rel] = "<dir>";
    }
  }
  return out;
}

class AdversarialTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    // <dir>/outside                     : not on the volume
    // <dir>/vol/u-b/other               : another user's folder
    // <dir>/vol/u-a/f                   : the folder under test
    ASSERT_EQ(::mkdir(Path("outside").c_str(), 0755), 0);
    WriteFile(Path("outside/file"), kOutside);
    std::filesystem::create_directories(Path("vol/u-b/other/dir"));
    std::filesystem::create_directories(Path("vol/u-a/f/sub"));
    WriteFile(Path("vol/u-b/other/secret"), kSecret);
    WriteFile(Path("vol/u-b/other/dir/deep"), kSecret);
    WriteFile(Path("vol/u-b/other/hardlinked"), "shared-by-hard-link");

    WriteFile(F("a"), "mine");
    WriteFile(F("sub/inner"), "inner");
    Link("/etc", "etc");                       // absolute, to a system dir
    Link("/etc/passwd", "passwd");             // absolute, to a system file
    Link("../../..", "up");                    // relative, climbs out
    Link("../../u-b/other", "other");          // sibling user's folder
    Link(Path("vol/u-b/other"), "other_abs");  // same, absolute
    Link("../../u-b/other/secret", "secret");  // a file of theirs
    Link(Path("outside/file"), "outfile");     // outside the volume
    Link("sub", "sublink");                    // stays inside: allowed
    Link("../other", "sub/other_via_parent");  // inside link chain to out
    ASSERT_EQ(::mkfifo(F("fifo").c_str(), 0600), 0);
    ASSERT_EQ(::link(Path("vol/u-b/other/hardlinked").c_str(), F("hard").c_str()), 0);

    auto fs = FolderFs::Open(F(""));
    ASSERT_TRUE(fs.ok()) << fs.status().ToString();
    fs_.emplace(std::move(*fs));
    other_before_ = Snapshot(Path("vol/u-b"));
    outside_before_ = Snapshot(Path("outside"));
    passwd_before_ = ReadFile("/etc/passwd");
  }

  void TearDown() override {
    // The invariant of every test here: nothing outside the folder changed.
    if (!dir_.empty() && !HasFatalFailure()) {
      EXPECT_EQ(Snapshot(Path("vol/u-b")), other_before_);
      EXPECT_EQ(Snapshot(Path("outside")), outside_before_);
      EXPECT_EQ(ReadFile("/etc/passwd"), passwd_before_);
      EXPECT_TRUE(Exists("/etc/passwd"));
    }
    TempDirTest::TearDown();
  }

  std::string F(const std::string& rel) const { return Path("vol/u-a/f/" + rel); }
  void Link(const std::string& target, const std::string& rel) {
    ASSERT_EQ(::symlink(target.c_str(), F(rel).c_str()), 0) << rel;
  }

  static void ExpectEscapes(const Status& s, const std::string& what) {
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << what << ": " << s.ToString();
    EXPECT_EQ(s.reason(), "path_escapes_folder") << what << ": " << s.ToString();
  }

  std::optional<FolderFs> fs_;
  std::map<std::string, std::string> other_before_, outside_before_;
  std::string passwd_before_;
};

const char* kEscapingDirs[] = {
    "etc", "up", "other", "other_abs", "sub/other_via_parent", "sublink/other_via_parent"};

TEST_F(AdversarialTest, ListShowsLinksAsLinksAndRefusesToListThroughThem) {
  auto list = fs_->List("", 100, "");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  std::map<std::string, std::string> types;
  for (const auto& e : list->entries) types[e.name] = e.type;
  EXPECT_EQ(types["etc"], "symlink");
  EXPECT_EQ(types["other"], "symlink");
  EXPECT_EQ(types["fifo"], "other");
  EXPECT_EQ(types["hard"], "file");
  EXPECT_EQ(types["sub"], "dir");
  for (const char* d : kEscapingDirs) ExpectEscapes(fs_->List(d, 100, "").status(), d);
  // An in-folder link to a directory may be listed: it stays inside.
  auto via = fs_->List("sublink", 100, "");
  ASSERT_TRUE(via.ok()) << via.status().ToString();
  EXPECT_EQ(via->entries.size(), 2u);
}

TEST_F(AdversarialTest, StatNeverFollowsOut) {
  auto st = fs_->Stat("passwd");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->type, "symlink");
  ExpectEscapes(fs_->Stat("etc/passwd").status(), "etc/passwd");
  ExpectEscapes(fs_->Stat("other/secret").status(), "other/secret");
  ExpectEscapes(fs_->Stat("up/outside/file").status(), "up/...");
  ExpectEscapes(fs_->Stat("sublink/other_via_parent/secret").status(), "chain");
}

TEST_F(AdversarialTest, DownloadNeverReadsOutside) {
  for (const char* p : {"passwd", "secret", "outfile", "other", "etc"}) {
    auto f = fs_->OpenForRead(p);
    ASSERT_FALSE(f.ok()) << p;
    EXPECT_EQ(f.status().reason(), "not_a_regular_file") << p << ": " << f.status().ToString();
  }
  for (const char* p : {"etc/passwd", "other/secret", "other_abs/secret", "up/outside/file",
                        "sub/other_via_parent/secret"}) {
    ExpectEscapes(fs_->OpenForRead(p).status(), p);
  }
  // A FIFO is refused at once (no open that would block for a writer).
  auto start = std::chrono::steady_clock::now();
  auto fifo = fs_->OpenForRead("fifo");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(fifo.status().reason(), "not_a_regular_file");
  // An in-folder symlink to a file is not followed for downloads either.
  Link("a", "alias");
  EXPECT_EQ(fs_->OpenForRead("alias").status().reason(), "not_a_regular_file");
  // A hard link is a file of this folder (same inode, by the session's own
  // doing): it reads as such.
  auto hard = fs_->OpenForRead("hard");
  ASSERT_TRUE(hard.ok());
  EXPECT_EQ(hard->size, std::string("shared-by-hard-link").size());
  // Through an in-folder directory link: fine.
  EXPECT_TRUE(fs_->OpenForRead("sublink/inner").ok());
}

TEST_F(AdversarialTest, UploadOverASymlinkReplacesTheLinkNeverWritesThroughIt) {
  for (const char* p : {"secret", "outfile", "passwd"}) {
    auto up = fs_->BeginUpload(p, /*overwrite=*/false, std::nullopt);
    EXPECT_EQ(up.status().code(), Code::kAlreadyExists) << p;
  }
  for (const char* p : {"secret", "outfile", "passwd"}) {
    auto up = fs_->BeginUpload(p, /*overwrite=*/true, std::nullopt);
    ASSERT_TRUE(up.ok()) << p << ": " << up.status().ToString();
    ASSERT_TRUE((*up)->Write("pwned", 5).ok());
    ASSERT_TRUE((*up)->Commit().ok());
    EXPECT_FALSE(IsSymlink(F(p))) << p;
    EXPECT_EQ(ReadFile(F(p)), "pwned");
  }
}

TEST_F(AdversarialTest, UploadOverAHardLinkDoesNotChangeTheOtherName) {
  auto up = fs_->BeginUpload("hard", /*overwrite=*/true, std::nullopt);
  ASSERT_TRUE(up.ok());
  ASSERT_TRUE((*up)->Write("new", 3).ok());
  ASSERT_TRUE((*up)->Commit().ok());
  EXPECT_EQ(ReadFile(F("hard")), "new");
  // TearDown checks that vol/u-b/other/hardlinked still holds its content.
}

TEST_F(AdversarialTest, UploadIntoEscapingDirectoriesIsRefused) {
  for (const char* d : kEscapingDirs) {
    std::string p = std::string(d) + "/dropped";
    ExpectEscapes(fs_->BeginUpload(p, true, std::nullopt).status(), p);
  }
  // Into an in-folder directory link: lands inside.
  auto up = fs_->BeginUpload("sublink/new", false, std::nullopt);
  ASSERT_TRUE(up.ok());
  ASSERT_TRUE((*up)->Commit().ok());
  EXPECT_TRUE(Exists(F("sub/new")));
}

TEST_F(AdversarialTest, UploadOntoAFifoReplacesItWithoutOpeningIt) {
  auto up = fs_->BeginUpload("fifo", true, std::nullopt);
  ASSERT_TRUE(up.ok());
  ASSERT_TRUE((*up)->Write("x", 1).ok());
  ASSERT_TRUE((*up)->Commit().ok());
  EXPECT_EQ(ReadFile(F("fifo")), "x");
}

TEST_F(AdversarialTest, MkdirThroughSymlinksIsRefused) {
  for (const char* d : kEscapingDirs) {
    std::string p = std::string(d) + "/newdir";
    ExpectEscapes(fs_->Mkdir(p, false).status(), p + " (no parents)");
    ExpectEscapes(fs_->Mkdir(p + "/more", true).status(), p + " (parents)");
  }
  // The link name itself exists: mkdir does not replace or follow it.
  EXPECT_EQ(fs_->Mkdir("other", false).status().code(), Code::kAlreadyExists);
  EXPECT_EQ(fs_->Mkdir("other", true).status().code(), Code::kAlreadyExists);
  EXPECT_TRUE(fs_->Mkdir("sublink/made", false).ok());
  EXPECT_TRUE(Exists(F("sub/made")));
}

TEST_F(AdversarialTest, MoveOntoOrThroughSymlinks) {
  // Moving a link moves the link.
  auto moved = fs_->Move("secret", "renamed");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->type, "symlink");
  EXPECT_TRUE(IsSymlink(F("renamed")));
  // Onto an existing link: refused, link untouched.
  EXPECT_EQ(fs_->Move("a", "other").status().code(), Code::kAlreadyExists);
  EXPECT_EQ(fs_->Move("a", "etc").status().code(), Code::kAlreadyExists);
  EXPECT_TRUE(IsSymlink(F("other")));
  // Into or out of escaping directories: refused.
  for (const char* d : kEscapingDirs) {
    std::string p = std::string(d) + "/a";
    ExpectEscapes(fs_->Move("a", p).status(), "a -> " + p);
    ExpectEscapes(fs_->Move(std::string(d) + "/secret", "stolen").status(), p);
  }
  ExpectEscapes(fs_->Move("other_abs/dir", "stolen").status(), "other_abs/dir");
  EXPECT_EQ(ReadFile(F("a")), "mine");
  EXPECT_FALSE(Exists(F("stolen")));
  // Into an in-folder directory link: lands inside.
  EXPECT_TRUE(fs_->Move("a", "sublink/a").ok());
  EXPECT_EQ(ReadFile(F("sub/a")), "mine");
}

TEST_F(AdversarialTest, RemoveThroughSymlinksRemovesOnlyTheLink) {
  for (const char* p : {"etc", "other", "other_abs", "secret", "outfile", "passwd", "up"}) {
    ASSERT_TRUE(fs_->Remove(p, /*recursive=*/true).ok()) << p;
    EXPECT_FALSE(Exists(F(p))) << p;
  }
  EXPECT_TRUE(fs_->Remove("hard", false).ok());
  // Paths through escaping links are refused (the links are gone now, so
  // recreate one to check).
  Link("../../u-b/other", "other");
  ExpectEscapes(fs_->Remove("other/secret", false), "other/secret");
  ExpectEscapes(fs_->Remove("other/dir", true), "other/dir");
  ExpectEscapes(fs_->Remove("sub/other_via_parent/secret", true), "chain");
  EXPECT_TRUE(Exists(Path("vol/u-b/other/secret")));
}

TEST_F(AdversarialTest, RecursiveRemoveOfATreeFullOfTrapsStaysInside) {
  ASSERT_TRUE(fs_->Remove("fifo", false).ok());
  // Build a tree whose entries point everywhere.
  std::filesystem::create_directories(F("trap/a/b"));
  Link("/etc", "trap/etc");
  Link("../../../u-b/other", "trap/other");
  Link("../../../../../outside", "trap/a/out");
  Link(Path("vol/u-b/other/dir"), "trap/a/b/abs");
  ASSERT_EQ(::mkfifo(F("trap/a/fifo").c_str(), 0600), 0);
  ASSERT_EQ(::link(Path("vol/u-b/other/secret").c_str(), F("trap/a/b/hl").c_str()), 0);
  ASSERT_TRUE(fs_->Remove("trap", true).ok());
  EXPECT_FALSE(Exists(F("trap")));
  // Removing the whole visible content through the folder API, too.
  auto list = fs_->List("", 0, "");
  ASSERT_TRUE(list.ok());
  for (const auto& e : list->entries) {
    EXPECT_TRUE(fs_->Remove(e.name, true).ok()) << e.name;
  }
  EXPECT_TRUE(fs_->List("", 0, "")->entries.empty());
}

TEST_F(AdversarialTest, UsageDoesNotFollowLinks) {
  auto u = fs_->ComputeUsage();
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  // a (4) + sub/inner (5) + hard (19); the links and the FIFO count as files
  // with no bytes; nothing behind "up" (the whole volume) is counted.
  EXPECT_EQ(u->bytes, 4u + 5u + 19u);
  EXPECT_EQ(u->dirs, 1u);
  EXPECT_EQ(u->files, 2u + 1u + 9u + 1u);
}

TEST_F(AdversarialTest, ArchiveStoresLinksAsLinksAndSkipsSpecials) {
  for (const char* d : kEscapingDirs) {
    ExpectEscapes(fs_->OpenArchive(d, ArchiveFormat::kZip).status(), d);
  }
  for (ArchiveFormat format : {ArchiveFormat::kZip, ArchiveFormat::kTar}) {
    auto stream = fs_->OpenArchive("", format);
    ASSERT_TRUE(stream.ok()) << stream.status().ToString();
    std::string bytes;
    char buf[4096];
    for (;;) {
      auto n = (*stream)->Read(buf, sizeof(buf));
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      if (*n == 0) break;
      bytes.append(buf, *n);
    }
    EXPECT_EQ(bytes.find(kSecret), std::string::npos);
    EXPECT_EQ(bytes.find(kOutside), std::string::npos);
    EXPECT_EQ(bytes.find("root:x:0:0"), std::string::npos);

    struct archive* a = archive_read_new();
    archive_read_support_format_all(a);
    ASSERT_EQ(archive_read_open_memory(a, bytes.data(), bytes.size()), ARCHIVE_OK);
    std::map<std::string, std::string> seen;
    struct archive_entry* e;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
      std::string path = archive_entry_pathname(e);
      if (archive_entry_filetype(e) == AE_IFLNK) {
        seen[path] = std::string("-> ") + archive_entry_symlink(e);
      } else {
        seen[path] = archive_entry_filetype(e) == AE_IFDIR ? "<dir>" : "file";
      }
    }
    archive_read_free(a);
    EXPECT_EQ(seen["etc"], "-> /etc");
    EXPECT_EQ(seen["other"], "-> ../../u-b/other");
    EXPECT_EQ(seen["up"], "-> ../../..");
    EXPECT_EQ(seen["a"], "file");
    EXPECT_EQ(seen["hard"], "file");
    EXPECT_EQ(seen["sub/"], "<dir>");
    EXPECT_EQ(seen.count("fifo"), 0u);
    for (const auto& [path, what] : seen) {
      EXPECT_EQ(path.find("secret/"), std::string::npos) << path;
      EXPECT_EQ(path.find("etc/"), std::string::npos) << path;
    }
  }
}

}  // namespace
}  // namespace berth::storage
