// The shared behaviour suite every Store implementation must pass
// (STYLE.md habit 4). An implementation's test instantiates it with a
// factory:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite, ::testing::Values(&MakeSqlite));
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "store/store.h"

namespace berth::store {

using StoreFactory = std::unique_ptr<Store> (*)();

class StoreSuite : public ::testing::TestWithParam<StoreFactory> {
 protected:
  // A factory that returns nullptr has said why (a store whose server is
  // not installed here): its tests skip.
  void SetUp() override {
    store_ = GetParam()();
    if (!store_) GTEST_SKIP() << "store not available";
  }
  std::unique_ptr<Store> store_;
};

}  // namespace berth::store
