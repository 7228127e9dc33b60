#include "store/store_factory.h"

#include "store/pg_coordination.h"
#include "store/pg_store.h"
#include "store/sqlite_store.h"
#include "store/store_url.h"

namespace berth::store {
namespace {

Result<OpenedStore> OpenSqlite(const std::string& path) {
  BERTH_ASSIGN_OR_RETURN(auto s, OpenSqliteStore(path));
  return OpenedStore{std::move(s), LocalCoordination(), "sqlite " + path};
}

Result<OpenedStore> OpenPostgres(const std::string& url) {
  BERTH_ASSIGN_OR_RETURN(auto s, OpenPgStore(url));
  return OpenedStore{std::move(s), PgCoordination(url), MaskUrlPassword(url)};
}

struct Kind {
  const char* prefix;
  Result<OpenedStore> (*open)(const std::string& url);
};
constexpr Kind kKinds[] = {
    {"postgresql://", OpenPostgres},
    {"postgres://", OpenPostgres},
};

}  // namespace

Result<OpenedStore> OpenStore(const std::string& url, const std::string& data_dir) {
  if (url.empty()) return OpenSqlite(data_dir + "/berth.db");
  for (const auto& k : kKinds) {
    if (!url.starts_with(k.prefix) || url.size() == std::string_view(k.prefix).size()) continue;
    return k.open(url);
  }
  return InvalidArgument("unknown store '" + MaskUrlPassword(url) +
                         "' (expected postgresql://...; none: SQLite in the data dir)");
}

}  // namespace berth::store
