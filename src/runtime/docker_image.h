// How DockerRuntime turns a ContainerSpec's `rootfs` (a directory of the
// image store, images/image_store.h) into a Docker image, without changing
// the ContainerSpec or the agent:
//
//   * the image is named berth/<image name>:<key>, where <key> is 16 hex of
//     sha256(<image dir>/image.json text, rootfs path); image.json is the
//     image store's manifest (images/image_manifest.h). image.json changes
//     whenever the image is built or imported again (created_at, digest),
//     so a changed image gets a new tag and is imported again; an unchanged
//     one is found by tag. Without image.json (a bare rootfs directory) the
//     key comes from the path and the directory's ctime/mtime.
//   * import = POST /images/create?fromSrc=- with a tar stream of the rootfs
//     made here with libarchive (numeric owners, modes, setuid bits, xattrs
//     such as file capabilities, hard links, device nodes).
//
// Thread-safety: ImageRefForRootfs is a pure function of the file system;
// a RootfsTar is used by one thread; EnsureDockerImage see below.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/result.h"
#include "runtime/docker_client.h"

namespace berth::runtime {

struct DockerImageRef {
  std::string repo;  // "berth/python"
  std::string tag;   // 16 hex
  std::string ref() const { return repo + ":" + tag; }
};

// REQUIRES: rootfs is an absolute path to a directory.
Result<DockerImageRef> ImageRefForRootfs(const std::string& rootfs);

// The Docker image (repo:tag) standing for `rootfs`, imported first if the
// daemon lacks it; after an import, older tags of the same repo are removed
// (best effort: Docker refuses while a container uses one).
// REQUIRES: imports of one image are serialised by the caller
// (DockerRuntime holds one mutex around this).
Result<std::string> EnsureDockerImage(const DockerClient& client, const std::string& rootfs,
                                      std::chrono::milliseconds request_timeout,
                                      std::chrono::milliseconds import_timeout);

// A tar stream of a directory tree, produced a piece at a time (so a 200 MB
// rootfs never sits in memory). Entry names are relative ("usr/bin/env").
class RootfsTar {
 public:
  static Result<std::unique_ptr<RootfsTar>> Open(const std::string& rootfs);
  ~RootfsTar();
  RootfsTar(const RootfsTar&) = delete;
  RootfsTar& operator=(const RootfsTar&) = delete;

  // Replaces *chunk with the next piece (about 1 MiB); returns false once
  // the tar is complete (that last piece may be non-empty).
  Result<bool> Next(std::string* chunk);

 private:
  struct Rep;
  explicit RootfsTar(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace berth::runtime
