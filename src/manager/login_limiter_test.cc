// LoginLimiter and its FailureTable: table-driven scenarios of failures
// from several places, the prefixes that group addresses, and the bound on
// memory (regression: a flood of sign-in failures grew the table without end).
#include "manager/login_limiter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace berth::manager {
namespace {

TEST(SourcePrefixTest, GroupsAddressesByPrefix) {
  struct Case {
    const char* addr;
    const char* prefix;
  };
  const Case cases[] = {
      {"10.1.2.3", "10.1.2.0/24"},
      {"10.1.2.250", "10.1.2.0/24"},
      {"10.1.3.3", "10.1.3.0/24"},
      {"127.0.0.1", "loopback"},
      {"127.1.2.3", "loopback"},
      {"127.255.255.254", "loopback"},
      {"::1", "loopback"},
      {"::ffff:127.0.0.2", "loopback"},
      {"::ffff:192.168.7.9", "192.168.7.0/24"},
      {"2001:db8:1:2:3:4:5:6", "2001:0db8:0001:0002::/64"},
      {"2001:db8:1:2:ffff::1", "2001:0db8:0001:0002::/64"},
      {"2001:db8:1:3::1", "2001:0db8:0001:0003::/64"},
      {"not-an-address", "not-an-address"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(SourcePrefix(c.addr), c.prefix) << c.addr;
}

TEST(FailureTableTest, CountsLapseAfterTheWindow) {
  FailureTable t(10, 60);
  t.Add("k", 1000);
  t.Add("k", 1010);
  EXPECT_EQ(t.Count("k", 1010), 2);
  EXPECT_EQ(t.SecondsLeft("k", 1010), 60);
  EXPECT_EQ(t.Count("k", 1069), 2);
  EXPECT_EQ(t.Count("k", 1070), 0);  // window after the last failure
  EXPECT_EQ(t.SecondsLeft("k", 1070), 0);
  t.Add("k", 1070);  // a lapsed count starts over
  EXPECT_EQ(t.Count("k", 1070), 1);
  t.Erase("k");
  EXPECT_EQ(t.Count("k", 1070), 0);
  EXPECT_EQ(t.size(), 0u);
}

TEST(FailureTableTest, HoldsAtMostCapacityEvictingTheColdest) {
  FailureTable t(3, 60);
  t.Add("a", 100);
  t.Add("b", 101);
  t.Add("c", 102);
  t.Add("a", 103);  // a is now the most recent
  t.Add("d", 104);  // evicts b
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.Count("b", 104), 0);
  EXPECT_EQ(t.Count("a", 104), 2);
  EXPECT_EQ(t.Count("c", 104), 1);
  EXPECT_EQ(t.Count("d", 104), 1);
  for (int i = 0; i < 100000; ++i) t.Add("flood" + std::to_string(i), 200);
  EXPECT_EQ(t.size(), 3u);
}

TEST(FailureTableTest, LapsedEntriesGoFirst) {
  FailureTable t(100, 60);
  for (int i = 0; i < 50; ++i) t.Add("old" + std::to_string(i), 0);
  t.Add("new", 1000);  // all the old ones lapsed
  EXPECT_EQ(t.size(), 1u);
}

// One sign-in attempt in a scenario, and what the limiter should say first.
struct Step {
  const char* user;
  const char* addr;
  bool fail;         // record a failure (else a success) after the check
  bool want_limited;  // RetryAfter > 0 before this attempt
};

void RunSteps(const std::vector<Step>& steps, LoginLimits limits = {}) {
  LoginLimiter l(limits);
  int i = 0;
  for (const Step& s : steps) {
    SCOPED_TRACE("step " + std::to_string(i++) + " " + s.user + "@" + s.addr);
    int64_t wait = l.RetryAfter(s.user, s.addr, 1000);
    EXPECT_EQ(wait > 0, s.want_limited);
    if (wait > 0) {
      EXPECT_LE(wait, limits.window_s);
      continue;
    }
    if (s.fail) {
      l.RecordFailure(s.user, s.addr, 1000);
    } else {
      l.RecordSuccess(s.user, s.addr);
    }
  }
}

TEST(LoginLimiterTest, Scenarios) {
  const LoginLimits small{/*max_per_user_source=*/3, /*max_per_prefix=*/5, /*window_s=*/60,
                          /*capacity=*/100};
  // Guessing one user from one place locks that pair.
  RunSteps({{"alice", "10.0.0.1", true, false},
       {"alice", "10.0.0.1", true, false},
       {"alice", "10.0.0.1", true, false},
       {"alice", "10.0.0.1", false, true}},
      small);
  // A stranger's failures never lock the user out of another place.
  RunSteps({{"admin", "127.0.0.2", true, false},
       {"admin", "127.0.0.2", true, false},
       {"admin", "127.0.0.2", true, false},
       {"admin", "127.0.0.2", false, true},
       {"admin", "127.0.0.1", false, false},
       {"admin", "192.168.1.1", false, false}},
      small);
  // Rotating addresses inside one prefix still hits the prefix's limit,
  // for every user from it, right password or not.
  RunSteps({{"alice", "127.0.0.2", true, false},
       {"alice", "127.1.2.3", true, false},
       {"bob", "127.9.9.9", true, false},
       {"carol", "127.0.0.3", true, false},
       {"dave", "127.4.4.4", true, false},
       {"alice", "127.0.0.1", false, true},
       {"alice", "10.0.0.1", false, false}},
      small);
  // Fewer failures than the limit, then the right password, clears the pair.
  RunSteps({{"alice", "10.0.0.1", true, false},
       {"alice", "10.0.0.1", true, false},
       {"alice", "10.0.0.1", false, false},
       {"alice", "10.0.0.1", true, false},
       {"alice", "10.0.0.1", true, false},
       {"alice", "10.0.0.1", false, false}},
      small);
}

TEST(LoginLimiterTest, LimitsLapseAndMemoryIsBounded) {
  LoginLimiter l({3, 5, 60, 50});
  for (int i = 0; i < 3; ++i) l.RecordFailure("alice", "10.0.0.1", 1000);
  EXPECT_GT(l.RetryAfter("alice", "10.0.0.1", 1000), 0);
  EXPECT_EQ(l.RetryAfter("alice", "10.0.0.1", 1060), 0);
  for (int i = 0; i < 10000; ++i) {
    l.RecordFailure("u" + std::to_string(i), "10." + std::to_string(i % 250) + ".0.1", 2000);
  }
  EXPECT_LE(l.size(), 100u);
}

}  // namespace
}  // namespace berth::manager
