// The app frames' payloads (remote/messages.h): round trips and refusals.
#include <gtest/gtest.h>

#include "remote/frame.h"
#include "remote/messages.h"

namespace berth::remote {
namespace {

TEST(AppMessages, RoundTrip) {
  auto r = DecodeAppRequest(EncodeAppRequest({"ensure", "jupyter", true}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->op, "ensure");
  EXPECT_EQ(r->app, "jupyter");
  EXPECT_TRUE(r->restart);

  apps::AppTarget t;
  t.netns_pid = 1234;
  t.port = 8888;
  t.state = apps::AppState::kRunning;
  t.exited = true;
  auto back = DecodeAppReport(EncodeAppReport(t));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->netns_pid, 0);  // the node's pid stays there
  EXPECT_EQ(back->port, 8888);
  EXPECT_EQ(back->state, apps::AppState::kRunning);
  EXPECT_TRUE(back->exited);

  auto c = DecodeAppConnect(EncodeAppConnect({"jupyter", 8888, std::chrono::milliseconds(1500)}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->app, "jupyter");
  EXPECT_EQ(c->port, 8888);
  EXPECT_EQ(c->timeout, std::chrono::milliseconds(1500));
  EXPECT_TRUE(IsDataFrame(FrameType::kAppData));
  EXPECT_FALSE(IsDataFrame(FrameType::kAppEof));
}

TEST(AppMessages, BadPayloadsAreInvalidArgument) {
  for (const char* bad : {"[]", "{\"op\":\"exec\",\"app\":\"a\"}", "{\"op\":\"state\",\"app\":3}",
                          "{\"op\":\"state\",\"restart\":\"yes\"}"}) {
    auto r = DecodeAppRequest(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
  }
  for (const char* bad : {"{\"app\":\"a\"}", "{\"app\":\"a\",\"port\":0}", "{\"app\":\"a\",\"port\":70000}",
                          "{\"app\":\"a\",\"port\":-1}", "{\"app\":\"a\",\"port\":80,\"timeout_ms\":-5}"}) {
    auto r = DecodeAppConnect(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
  }
  for (const char* bad : {"{\"state\":\"dancing\",\"port\":1}", "{\"state\":\"running\"}",
                          "{\"state\":\"running\",\"port\":65536}"}) {
    auto r = DecodeAppReport(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace berth::remote
