// A scratch directory for the image-import harnesses: each run gets
// <base>/run/{in,rootfs/,work/}, removed afterwards. Extraction must stay
// inside rootfs/ and work/: anything else left in <base>/run or <base> after a
// run is an escape, and aborts. Not thread-safe (one run at a time).
#pragma once

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "common/fs_util.h"

namespace berth::fuzz {

class ImportFuzzDir {
 public:
  ImportFuzzDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/berth-fuzz-XXXXXX";
    if (!::mkdtemp(tmpl.data())) std::abort();
    base_ = tmpl;
    run_ = base_ + "/run";
  }
  ~ImportFuzzDir() { (void)RemoveTree(base_); }

  // Makes a fresh run dir holding `data` as the file in().
  void Start(const uint8_t* data, size_t size) {
    if (::mkdir(run_.c_str(), 0700) != 0 || ::mkdir(rootfs().c_str(), 0755) != 0 ||
        ::mkdir(work().c_str(), 0700) != 0) {
      std::abort();
    }
    FILE* f = std::fopen(in().c_str(), "wb");
    if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) std::abort();
  }
  // Checks that nothing landed beside rootfs/ and work/, then removes the run.
  void Finish() {
    if (Entries(base_) != std::set<std::string>{"run"}) Escaped(base_);
    if (Entries(run_) != std::set<std::string>{"in", "rootfs", "work"}) Escaped(run_);
    if (!RemoveTree(run_).ok()) std::abort();
  }

  std::string in() const { return run_ + "/in"; }
  std::string rootfs() const { return run_ + "/rootfs"; }
  std::string work() const { return run_ + "/work"; }

 private:
  static std::set<std::string> Entries(const std::string& dir) {
    std::set<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) std::abort();
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") out.insert(name);
    }
    ::closedir(d);
    return out;
  }
  [[noreturn]] static void Escaped(const std::string& dir) {
    std::fprintf(stderr, "fuzz: the archive wrote outside the root, into %s\n", dir.c_str());
    std::abort();
  }

  std::string base_, run_;
};

}  // namespace berth::fuzz
