// SnapshotScheduler's lead among managers: one runs the schedule; another
// takes over once the holder's database connection is gone.
#include "manager/snapshot_scheduler.h"

#include <gtest/gtest.h>

#include "manager/service_test_fixture.h"
#include "manager/wire_coordination.h"

namespace berth::manager {
namespace {

class SnapshotSchedulerTest : public ServiceTest {};

TEST_F(SnapshotSchedulerTest, OneManagerLeadsAndAnotherTakesOverWhenItsConnectionDies) {
  FolderService folders(FolderDeps());
  SnapshotService snapshots(folders, nullptr);
  Wire wire(2);
  WireCoordination ca(wire, 0), cb(wire, 1);
  SnapshotScheduler a(store(), folders, snapshots, &ca);
  SnapshotScheduler b(store(), folders, snapshots, &cb);
  EXPECT_TRUE(a.Leading());
  EXPECT_FALSE(b.Leading());
  EXPECT_TRUE(a.Leading());  // kept, not taken again
  EXPECT_FALSE(b.Leading());
  WireCoordination::Drop(wire, SnapshotScheduler::kLeaderLock);  // a's connection broke
  EXPECT_TRUE(b.Leading());
  EXPECT_FALSE(a.Leading());
}

TEST_F(SnapshotSchedulerTest, AloneItAlwaysLeads) {
  FolderService folders(FolderDeps());
  SnapshotService snapshots(folders, nullptr);
  SnapshotScheduler alone(store(), folders, snapshots);
  EXPECT_TRUE(alone.Leading());
}

}  // namespace
}  // namespace berth::manager
