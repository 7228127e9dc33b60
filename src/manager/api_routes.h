// Registration of the REST API (SPEC §5) on a Router. Each Register*
// function adds one resource's routes; RegisterApi adds them all.
// The services must outlive the router.
#pragma once

#include "http/router.h"
#include "manager/exec_limits.h"

namespace berth::images {
class ImageStore;
}

namespace berth::manager {

class AuthService;
class DownloadLinks;
class EventBus;
class FolderService;
class SessionService;
class ShareService;
class UserService;

struct ApiContext {
  AuthService* auth = nullptr;
  FolderService* folders = nullptr;
  DownloadLinks* links = nullptr;
  UserService* users = nullptr;
  ShareService* shares = nullptr;
  // Sessions, images and events: absent on a storage-only manager.
  SessionService* sessions = nullptr;
  images::ImageStore* images = nullptr;
  EventBus* events = nullptr;
  ExecLimits exec_limits;
};

void RegisterAccountRoutes(http::Router& r, ApiContext& ctx);
void RegisterFolderRoutes(http::Router& r, ApiContext& ctx);
void RegisterFileRoutes(http::Router& r, ApiContext& ctx);
// REQUIRES: ctx.users and ctx.shares.
void RegisterUserRoutes(http::Router& r, ApiContext& ctx);
// REQUIRES: ctx.sessions, ctx.images and ctx.events.
void RegisterSessionRoutes(http::Router& r, ApiContext& ctx);

inline void RegisterApi(http::Router& r, ApiContext& ctx) {
  RegisterAccountRoutes(r, ctx);
  RegisterFolderRoutes(r, ctx);
  RegisterFileRoutes(r, ctx);
  if (ctx.users && ctx.shares) RegisterUserRoutes(r, ctx);
  if (ctx.sessions && ctx.images && ctx.events) RegisterSessionRoutes(r, ctx);
}

}  // namespace berth::manager
