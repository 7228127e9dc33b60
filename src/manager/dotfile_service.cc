#include "manager/dotfile_service.h"

#include "common/clock.h"
#include "manager/dotfile_rules.h"

namespace berth::manager {
namespace {

Status NotFoundDotfile(const std::string& path) {
  return NotFound("no dotfile '" + path + "'", "dotfile_not_found");
}

}  // namespace

Result<std::vector<store::DotfileRecord>> DotfileService::List(const Principal& p) {
  return store_.ListDotfiles(p.user_id);
}

Result<store::DotfileRecord> DotfileService::Get(const Principal& p, std::string_view path) {
  BERTH_ASSIGN_OR_RETURN(std::string clean, NormalizeDotfilePath(path));
  auto d = store_.GetDotfile(p.user_id, clean);
  if (d.status().code() == Code::kNotFound) return NotFoundDotfile(clean);
  return d;
}

Result<PutDotfileResult> DotfileService::Put(const Principal& p, std::string_view path,
                                             std::string_view mode, std::string content) {
  BERTH_ASSIGN_OR_RETURN(std::string clean, NormalizeDotfilePath(path));
  BERTH_ASSIGN_OR_RETURN(uint32_t m, ParseDotfileMode(mode, clean));
  if (content.size() > kMaxDotfileBytes) {
    return ResourceExhausted("a dotfile may hold at most 64 KiB (this one has " +
                                 std::to_string(content.size()) + " bytes)",
                             "too_large");
  }
  BERTH_ASSIGN_OR_RETURN(auto all, store_.ListDotfiles(p.user_id));
  uint64_t others = 0;
  bool exists = false;
  for (const auto& d : all) {
    if (d.path == clean) {
      exists = true;
    } else {
      others += d.content.size();
    }
  }
  if (others + content.size() > kMaxDotfilesBytesPerUser) {
    return ResourceExhausted("your dotfiles may hold at most 1 MiB together (" +
                                 std::to_string(others) + " bytes in the others, " +
                                 std::to_string(content.size()) + " in this one)",
                             "over_quota");
  }
  store::DotfileRecord d{p.user_id, clean, m, std::move(content), NowRfc3339()};
  BERTH_RETURN_IF_ERROR(store_.PutDotfile(d));
  return PutDotfileResult{std::move(d), !exists};
}

Status DotfileService::Delete(const Principal& p, std::string_view path) {
  BERTH_ASSIGN_OR_RETURN(std::string clean, NormalizeDotfilePath(path));
  Status s = store_.DeleteDotfile(p.user_id, clean);
  if (s.code() == Code::kNotFound) return NotFoundDotfile(clean);
  return s;
}

Result<std::vector<agent::Dotfile>> SessionDotfiles(store::Store& store,
                                                    const std::string& user_id) {
  BERTH_ASSIGN_OR_RETURN(auto all, store.ListDotfiles(user_id));
  std::vector<agent::Dotfile> out;
  out.reserve(all.size());
  for (auto& d : all) out.push_back({std::move(d.path), d.mode, std::move(d.content)});
  return out;
}

}  // namespace berth::manager
