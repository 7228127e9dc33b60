#include "agent/agent_testing.h"

#include <stdlib.h>

#include "common/fs_util.h"

namespace berth::agent {

Status WriteFakeImage(const std::string& images_root, const std::string& name) {
  const std::string dir = images_root + "/" + name;
  BERTH_RETURN_IF_ERROR(MkdirAll(dir + "/rootfs/etc/skel"));
  BERTH_RETURN_IF_ERROR(WriteFileAtomic(dir + "/rootfs/etc/skel/.profile", "# fake\n"));
  return WriteFileAtomic(dir + "/image.json",
                         R"({"name": ")" + name + R"(", "source": "fake", "env": ["LANG=C"]})");
}

Result<std::unique_ptr<TestNode>> TestNode::Create(const std::string& image) {
  std::unique_ptr<TestNode> node(new TestNode());
  char tmpl[] = "/tmp/berth-node-test-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return ErrnoStatus("mkdtemp", errno);
  node->dir_ = tmpl;
  BERTH_RETURN_IF_ERROR(WriteFakeImage(node->dir_ + "/images", image));
  BERTH_RETURN_IF_ERROR(MkdirAll(node->volume_root()));
  images::ImageStoreOptions io;
  io.root = node->dir_ + "/images";
  BERTH_ASSIGN_OR_RETURN(node->images_, images::ImageStore::Open(io));
  AgentOptions ao;
  ao.data_dir = node->dir_ + "/agent";
  ao.runtime = &node->runtime_;
  ao.volume_roots = {node->volume_root()};
  BERTH_ASSIGN_OR_RETURN(node->agent_, SessionAgent::Open(ao));
  return node;
}

TestNode::~TestNode() {
  if (!dir_.empty()) (void)RemoveTree(dir_);
}

}  // namespace berth::agent
