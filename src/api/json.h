// JSON mapping of the wire types (nlohmann::json ADL hooks). Include only in
// .cc files: nlohmann/json.hpp is heavy.
#pragma once

#include <nlohmann/json.hpp>

#include "api/types.h"
#include "common/status.h"

namespace berth::api {

// Sets j[key] to byte string `bytes` (a file name or path), adding
// j[key + "_raw"] when it is not valid UTF-8 (api/raw_name.h).
void PutName(nlohmann::json& j, const std::string& key, const std::string& bytes);

void to_json(nlohmann::json& j, const Usage& v);
void from_json(const nlohmann::json& j, Usage& v);
void to_json(nlohmann::json& j, const Folder& v);
void from_json(const nlohmann::json& j, Folder& v);
void to_json(nlohmann::json& j, const FileEntry& v);
void from_json(const nlohmann::json& j, FileEntry& v);
void to_json(nlohmann::json& j, const FileList& v);
void from_json(const nlohmann::json& j, FileList& v);
void to_json(nlohmann::json& j, const User& v);
void from_json(const nlohmann::json& j, User& v);
void to_json(nlohmann::json& j, const UserLimits& v);
void from_json(const nlohmann::json& j, UserLimits& v);
void to_json(nlohmann::json& j, const Token& v);
void from_json(const nlohmann::json& j, Token& v);
void to_json(nlohmann::json& j, const Volume& v);
void from_json(const nlohmann::json& j, Volume& v);

void to_json(nlohmann::json& j, const SessionMount& v);
void from_json(const nlohmann::json& j, SessionMount& v);
void to_json(nlohmann::json& j, const Snapshot& v);
void to_json(nlohmann::json& j, const SessionResources& v);
void from_json(const nlohmann::json& j, SessionResources& v);
void to_json(nlohmann::json& j, const ResourceGroup& v);
void from_json(const nlohmann::json& j, ResourceGroup& v);
void to_json(nlohmann::json& j, const Session& v);
void from_json(const nlohmann::json& j, Session& v);
void to_json(nlohmann::json& j, const Image& v);
void from_json(const nlohmann::json& j, Image& v);

// {"error":{"code":..., "message":...}} for a non-OK status.
nlohmann::json ErrorJson(const Status& s);

}  // namespace berth::api
