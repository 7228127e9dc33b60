// PgStore against a real PostgreSQL (PgTestServer): the shared store suite,
// migrations by several managers at once, and Coordination (advisory locks,
// LISTEN/NOTIFY). Skips, saying why, only where the server binaries are
// not installed.
#include "store/pg_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "common/random.h"
#include "store/pg_coordination.h"
#include "store/pg_schema.h"
#include "store/pg_test_server.h"
#include "store/store_suite.h"

namespace berth::store {
namespace {

// One server for the whole binary (a fresh database per test).
class PgEnvironment : public ::testing::Environment {
 public:
  static PgTestServer* server() { return server_.get(); }
  static const std::string& why_not() { return why_not_; }

  void SetUp() override {
    auto s = PgTestServer::Start();
    if (s.ok()) {
      server_ = std::move(*s);
    } else {
      why_not_ = s.status().message();
      // Installed but broken is a failure; absent is a skip.
      if (s.status().code() != Code::kNotFound) ADD_FAILURE() << why_not_;
    }
  }
  void TearDown() override { server_.reset(); }

 private:
  static inline std::unique_ptr<PgTestServer> server_;
  static inline std::string why_not_;
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new PgEnvironment);

#define REQUIRE_PG()                                                          \
  if (!PgEnvironment::server()) GTEST_SKIP() << PgEnvironment::why_not();

std::string NewDatabase() {
  auto url = PgEnvironment::server()->CreateDatabase();
  EXPECT_TRUE(url.ok()) << url.status().ToString();
  return url.ok() ? *url : "";
}

std::unique_ptr<Store> MakePg() {
  if (!PgEnvironment::server()) {
    std::printf("skipping: %s\n", PgEnvironment::why_not().c_str());
    return nullptr;  // StoreSuite skips
  }
  auto s = OpenPgStore(NewDatabase());
  if (!s.ok()) ADD_FAILURE() << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreSuite, ::testing::Values(&MakePg));

TEST(PgStoreTest, ReopenKeepsDataAndDoesNotRemigrate) {
  REQUIRE_PG();
  std::string url = NewDatabase();
  {
    auto s = OpenPgStore(url);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    UserRecord u{"id1", "admin", "superadmin", "", false, 1000, 1000, "t"};
    ASSERT_TRUE((*s)->CreateUser(u).ok());
  }
  auto s = OpenPgStore(url);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->GetUserByName("admin")->role, "superadmin");
  pqxx::connection c(url);
  EXPECT_EQ(pqxx::work(c).exec1("SELECT COUNT(*) FROM schema_migrations")[0].as<int>(),
            PgSchemaVersion());
}

// Several managers starting together: one migrates, the others wait on the
// advisory lock and find the schema done (no duplicate-table errors).
TEST(PgStoreTest, ManagersStartingTogetherMigrateOnce) {
  REQUIRE_PG();
  std::string url = NewDatabase();
  constexpr int kManagers = 6;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::vector<std::string> errors(kManagers);
  for (int i = 0; i < kManagers; ++i) {
    threads.emplace_back([&, i] {
      auto s = OpenPgStore(url);
      if (s.ok()) ++ok; else errors[i] = s.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(ok.load(), kManagers);
  pqxx::connection c(url);
  EXPECT_EQ(pqxx::work(c).exec1("SELECT COUNT(*) FROM schema_migrations")[0].as<int>(),
            PgSchemaVersion());
}

TEST(PgStoreTest, NewerSchemaIsRefused) {
  REQUIRE_PG();
  std::string url = NewDatabase();
  ASSERT_TRUE(OpenPgStore(url).ok());
  {
    pqxx::connection c(url);
    pqxx::work tx(c);
    tx.exec_params0("INSERT INTO schema_migrations(version) VALUES ($1)", PgSchemaVersion() + 1);
    tx.commit();
  }
  EXPECT_EQ(OpenPgStore(url).status().code(), Code::kFailedPrecondition);
}

TEST(PgStoreTest, UnreachableServerIsUnavailableAndThePasswordIsNotInTheMessage) {
  // Port 1 on loopback: nothing listens there; refused at once.
  auto s = OpenPgStore("postgresql://berth:hunter2@127.0.0.1:1/berth?connect_timeout=2");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kUnavailable);
  EXPECT_EQ(s.status().message().find("hunter2"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("***"), std::string::npos) << s.status().message();
}

// Many threads at once through the pool (more than its connections).
TEST(PgStoreTest, ConcurrentCallersShareThePool) {
  REQUIRE_PG();
  auto s = OpenPgStore(NewDatabase());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  constexpr int kThreads = 24, kEach = 10;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kEach; ++j) {
        UserRecord u;
        u.id = NewUuid();
        u.name = "u" + std::to_string(i) + "-" + std::to_string(j);
        u.created_at = "t";
        if (!(*s)->CreateUser(u).ok() || !(*s)->GetUser(u.id).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*(*s)->CountUsers(), kThreads * kEach);
}

// A payload sent by one manager reaches the other, not itself.
TEST(PgCoordinationTest, BroadcastReachesOtherManagersOnly) {
  REQUIRE_PG();
  std::string url = NewDatabase();
  auto a = PgCoordination(url), b = PgCoordination(url);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> got_a, got_b;
  ASSERT_TRUE(a->Listen([&](const std::string& p) {
                 std::lock_guard l(mu);
                 got_a.push_back(p);
                 cv.notify_all();
               }).ok());
  ASSERT_TRUE(b->Listen([&](const std::string& p) {
                 std::lock_guard l(mu);
                 got_b.push_back(p);
                 cv.notify_all();
               }).ok());
  ASSERT_TRUE(a->Broadcast("{\"folder\":\"data\"}").ok());
  {
    std::unique_lock l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(10), [&] { return !got_b.empty(); }));
  }
  ASSERT_TRUE(b->Broadcast("second").ok());
  {
    std::unique_lock l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(10), [&] { return !got_a.empty(); }));
    EXPECT_EQ(got_b, std::vector<std::string>{"{\"folder\":\"data\"}"});
    EXPECT_EQ(got_a, std::vector<std::string>{"second"});
  }
  a->Stop();
  b->Stop();
  EXPECT_EQ(a->Broadcast(std::string(8000, 'x')).code(), Code::kInvalidArgument);
}

// The second manager waits for the first to release a lock.
TEST(PgCoordinationTest, LockIsHeldByOneManagerAtATime) {
  REQUIRE_PG();
  std::string url = NewDatabase();
  auto a = PgCoordination(url), b = PgCoordination(url);
  auto held = a->Lock("startup");
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  std::atomic<bool> b_has_it{false};
  std::thread t([&] {
    auto h = b->Lock("startup");
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    b_has_it = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(b_has_it.load());
  auto other = a->Lock("another-name");  // different names do not block
  EXPECT_TRUE(other.ok());
  held->reset();
  t.join();
  EXPECT_TRUE(b_has_it.load());
}

// TryLock: one manager gets it, the other gets a null hold at once; when
// the holder's connection dies the hold says so and the lock is free.
TEST(PgCoordinationTest, TryLockNeverWaitsAndHeldSeesALostConnection) {
  REQUIRE_PG();
  std::string url = NewDatabase();
  auto a = PgCoordination(url), b = PgCoordination(url);
  auto held = a->TryLock("snapshot-scheduler");
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ASSERT_NE(*held, nullptr);
  EXPECT_TRUE((*held)->Held());
  auto refused = b->TryLock("snapshot-scheduler");
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(*refused, nullptr);
  auto other = b->TryLock("clone:x");  // another name is free
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, nullptr);
  other->reset();
  {
    pqxx::connection c(url);
    pqxx::nontransaction(c).exec(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'");
  }
  EXPECT_FALSE((*held)->Held());
  auto now = b->TryLock("snapshot-scheduler");
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_NE(*now, nullptr);
}

}  // namespace
}  // namespace berth::store
