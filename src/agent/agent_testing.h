// Test fixtures for code that drives a SessionAgent (agent and manager unit
// tests): a node in a fresh temp directory with a FakeRuntime, an ImageStore
// holding one tiny fake image, a volume root and a SessionAgent over them.
// Test-only (berth_agent_testing). Not thread-safe to set up; the agent and
// runtime it holds are as thread-safe as ever.
#pragma once

#include <memory>
#include <string>

#include "agent/fake_runtime.h"
#include "agent/session_agent.h"
#include "common/result.h"
#include "images/image_store.h"

namespace berth::agent {

// Writes a tiny image `name` into an ImageStore root, as ImageStore::Get
// reads it: <root>/<name>/image.json and a rootfs holding only
// /etc/skel/.profile. Enough for a SessionAgent on a FakeRuntime (the
// rootfs never runs).
Status WriteFakeImage(const std::string& images_root, const std::string& name);

class TestNode {
 public:
  // Under dir: images/ (with the fake image `image`), volumes/local/ (the
  // volume root), agent/ (the agent's data dir).
  static Result<std::unique_ptr<TestNode>> Create(const std::string& image = "python");
  ~TestNode();  // removes the temp directory

  const std::string& dir() const { return dir_; }
  std::string volume_root() const { return dir_ + "/volumes/local"; }
  FakeRuntime& runtime() { return runtime_; }
  images::ImageStore& images() { return *images_; }
  SessionAgent& agent() { return *agent_; }

 private:
  TestNode() = default;

  std::string dir_;
  FakeRuntime runtime_;
  std::unique_ptr<images::ImageStore> images_;
  std::unique_ptr<SessionAgent> agent_;
};

}  // namespace berth::agent
