// OpenStore: the one place that turns a store URL (`--store`, the `store`
// config key; SPEC §9) into a Store and the Coordination that goes with it.
//   ""               SQLite at DATA_DIR/berth.db (the default; berthd makes
//                    that file 0600 first, manager/file_modes.h)
//   postgresql://... or postgres://...  PostgreSQL (libpq URI)
// Callers never branch on the kind of store: they use what this returns.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "store/coordination.h"
#include "store/store.h"

namespace berth::store {

struct OpenedStore {
  std::unique_ptr<Store> store;
  std::unique_ptr<Coordination> coordination;
  // The store as logs may name it (no password: MaskUrlPassword).
  std::string description;
};

// InvalidArgument for a URL of no known kind; the opener's error otherwise.
Result<OpenedStore> OpenStore(const std::string& url, const std::string& data_dir);

}  // namespace berth::store
