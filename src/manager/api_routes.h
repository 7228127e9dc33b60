// Registration of the REST API (SPEC §5) on a Router. Each Register*
// function adds one resource's routes; RegisterApi adds them all.
// The services must outlive the router.
#pragma once

#include "http/router.h"

namespace berth::manager {

class AuthService;
class FolderService;

struct ApiContext {
  AuthService* auth = nullptr;
  FolderService* folders = nullptr;
};

void RegisterAccountRoutes(http::Router& r, ApiContext& ctx);
void RegisterFolderRoutes(http::Router& r, ApiContext& ctx);
void RegisterFileRoutes(http::Router& r, ApiContext& ctx);

inline void RegisterApi(http::Router& r, ApiContext& ctx) {
  RegisterAccountRoutes(r, ctx);
  RegisterFolderRoutes(r, ctx);
  RegisterFileRoutes(r, ctx);
}

}  // namespace berth::manager
