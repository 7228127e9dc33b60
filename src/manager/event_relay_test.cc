#include "manager/event_relay.h"

#include <gtest/gtest.h>

#include <vector>

#include "manager/wire_coordination.h"

namespace berth::manager {
namespace {

TEST(EventRelayTest, EncodeDecodeRoundTripsAndRejectsMalformed) {
  Event e{"folder", "u1", R"({"name":"data","change":"created"})"};
  auto back = EventRelay::Decode(EventRelay::Encode(e));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->type, e.type);
  EXPECT_EQ(back->user_id, e.user_id);
  EXPECT_EQ(back->data, e.data);
  for (const char* bad : {"", "[]", "{", R"({"type":"folder"})", R"({"type":1,"user_id":"u","data":"{}"})"}) {
    EXPECT_FALSE(EventRelay::Decode(bad).has_value()) << bad;
  }
}

TEST(EventRelayTest, PublishedOnOneManagerDeliveredOnTheOtherOnce) {
  Wire wire(2);
  WireCoordination ca(wire, 0), cb(wire, 1);
  EventBus a, b;
  EventRelay ra(a, ca), rb(b, cb);
  ASSERT_TRUE(ra.Start().ok());
  ASSERT_TRUE(rb.Start().ok());
  auto sub_a = a.Subscribe("u1", false);
  auto sub_b = b.Subscribe("u1", false);
  auto other_user = b.Subscribe("u2", false);

  a.Publish(Event{"folder", "u1", R"({"name":"data"})"});
  auto got = sub_b->TryNext();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->data, R"({"name":"data"})");
  EXPECT_FALSE(sub_b->TryNext().has_value());      // once: Deliver does not forward again
  EXPECT_TRUE(sub_a->TryNext().has_value());       // the publisher's own subscribers too
  EXPECT_FALSE(sub_a->TryNext().has_value());      // and not back from b
  EXPECT_FALSE(other_user->TryNext().has_value());  // still only to whom it concerns
  rb.Stop();
  a.Publish(Event{"folder", "u1", "{}"});
  EXPECT_FALSE(sub_b->TryNext().has_value());
}

}  // namespace
}  // namespace berth::manager
