#include "manager/dotfile_service.h"

#include "manager/service_test_fixture.h"

namespace berth::manager {
namespace {

class DotfileServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    alice_ = AddUser("alice");
    bob_ = AddUser("bob");
  }
  Principal alice_, bob_;
};

TEST_F(DotfileServiceTest, PutCreatesThenReplacesAndIsPerUser) {
  DotfileService svc(store());
  auto r = svc.Put(alice_, "./.bashrc", "", "export A=1\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->created);
  EXPECT_EQ(r->dotfile.path, ".bashrc");
  EXPECT_EQ(r->dotfile.mode, 0644u);
  r = svc.Put(alice_, ".bashrc", "0600", "export A=2\n");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->created);
  EXPECT_EQ(svc.Get(alice_, ".bashrc")->content, "export A=2\n");
  EXPECT_EQ(svc.Get(alice_, ".bashrc")->mode, 0600u);
  EXPECT_EQ(Outcome(svc.Get(bob_, ".bashrc")), "404 dotfile_not_found");
  EXPECT_TRUE(svc.List(bob_)->empty());
  ASSERT_TRUE(svc.Put(alice_, ".ssh/authorized_keys", "", "k").ok());
  EXPECT_EQ(svc.Get(alice_, ".ssh/authorized_keys")->mode, 0600u);
  auto sess = SessionDotfiles(store(), alice_.user_id);
  ASSERT_TRUE(sess.ok());
  ASSERT_EQ(sess->size(), 2u);
  EXPECT_EQ(sess->at(1).path, ".ssh/authorized_keys");
  EXPECT_TRUE(svc.Delete(alice_, ".bashrc").ok());
  EXPECT_EQ(Outcome(svc.Delete(alice_, ".bashrc")), "404 dotfile_not_found");
}

TEST_F(DotfileServiceTest, RefusalsAsAClientSeesThem) {
  DotfileService svc(store());
  struct Case {
    std::string path, mode;
    size_t size;
    const char* want;
  } cases[] = {
      {"../x", "", 1, "400 invalid_path"},
      {"/etc/passwd", "", 1, "400 invalid_path"},
      {".berth/x", "", 1, "400 invalid_path"},
      {"a//b", "", 1, "400 invalid_path"},
      {".x", "0999", 1, "400 invalid_mode"},
      {".x", "1755", 1, "400 invalid_mode"},
      {".big", "", (64 << 10) + 1, "413 too_large"},
      {".max", "", 64 << 10, "ok"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Outcome(svc.Put(alice_, c.path, c.mode, std::string(c.size, 'x'))), c.want)
        << c.path << " " << c.mode;
  }
  EXPECT_EQ(Outcome(svc.Get(alice_, "../x")), "400 invalid_path");
  EXPECT_EQ(Outcome(svc.Delete(alice_, ".berth")), "400 invalid_path");
}

TEST_F(DotfileServiceTest, OneMiBPerUserReplacingDoesNotCountTwice) {
  DotfileService svc(store());
  const std::string full(64 << 10, 'x');
  for (int i = 0; i < 16; ++i) {
    ASSERT_EQ(Outcome(svc.Put(alice_, ".f" + std::to_string(i), "", full)), "ok") << i;
  }
  EXPECT_EQ(Outcome(svc.Put(alice_, ".one-more", "", "x")), "413 over_quota");
  EXPECT_EQ(Outcome(svc.Put(alice_, ".f3", "", full)), "ok");  // replaces its own bytes
  EXPECT_EQ(Outcome(svc.Put(bob_, ".bashrc", "", full)), "ok");
  ASSERT_TRUE(svc.Delete(alice_, ".f0").ok());
  EXPECT_EQ(Outcome(svc.Put(alice_, ".one-more", "", "x")), "ok");
}

}  // namespace
}  // namespace berth::manager
