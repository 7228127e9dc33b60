// WireCoordination (tests only): several managers' Coordinations joined in
// one process, as PgCoordination joins them through PostgreSQL (that one is
// tested against a real server in store/pg_store_test.cc). What one
// broadcasts the others' listeners get at once; a lock one holds the others
// cannot take until its hold is gone or Drop() says its connection broke.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/coordination.h"

namespace berth::manager {

struct Wire {
  explicit Wire(size_t managers) : listeners(managers) {}
  std::vector<std::function<void(const std::string&)>> listeners;  // by manager
  std::mutex mu;
  std::map<std::string, const void*> held;  // lock name -> its hold; guarded by mu
};

class WireCoordination : public store::Coordination {
 public:
  WireCoordination(Wire& w, size_t self) : w_(w), self_(self) {}

  // Never blocks in tests: a lock held elsewhere is Unavailable.
  Result<std::unique_ptr<Hold>> Lock(const std::string& name) override {
    auto h = TryLock(name);
    if (h.ok() && *h == nullptr) return Unavailable("held by another manager");
    return h;
  }
  Result<std::unique_ptr<Hold>> TryLock(const std::string& name) override {
    std::lock_guard lock(w_.mu);
    if (w_.held.count(name)) return std::unique_ptr<Hold>();
    auto hold = std::make_unique<WireHold>(w_, name);
    w_.held[name] = hold.get();
    return std::unique_ptr<Hold>(std::move(hold));
  }
  Status Broadcast(const std::string& payload) override {
    for (size_t i = 0; i < w_.listeners.size(); ++i) {
      if (i != self_ && w_.listeners[i]) w_.listeners[i](payload);
    }
    return Status::Ok();
  }
  Status Listen(std::function<void(const std::string&)> f) override {
    w_.listeners[self_] = std::move(f);
    return Status::Ok();
  }
  void Stop() override { w_.listeners[self_] = nullptr; }

  // As if the database connection behind `name`'s hold broke: the lock is
  // free and the hold's Held() is false.
  static void Drop(Wire& w, const std::string& name) {
    std::lock_guard lock(w.mu);
    w.held.erase(name);
  }

 private:
  class WireHold : public Hold {
   public:
    WireHold(Wire& w, std::string name) : w_(w), name_(std::move(name)) {}
    ~WireHold() override {
      std::lock_guard lock(w_.mu);
      if (Mine()) w_.held.erase(name_);
    }
    bool Held() override {
      std::lock_guard lock(w_.mu);
      return Mine();
    }

   private:
    bool Mine() const {  // REQUIRES: w_.mu held
      auto it = w_.held.find(name_);
      return it != w_.held.end() && it->second == this;
    }
    Wire& w_;
    std::string name_;
  };

  Wire& w_;
  size_t self_;
};

}  // namespace berth::manager
