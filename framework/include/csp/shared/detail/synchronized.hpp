// What Value and Array share: their requests wait while another process holds their lock
// (get_lock()), as Python's synchronized wrappers do, and their lock lives in the same owner.
#pragma once

#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "csp/shared/detail/lock_state.hpp"
#include "csp/shared/lock.hpp"

namespace csp::detail {

/// Base of a state guarded by an RLock in its own owner.
class Guarded {
 public:
  Guarded(std::string name, std::shared_ptr<Object<LockState>> lock)
      : name_(std::move(name)), lock_(std::move(lock)) {}
  const std::string& name() const noexcept { return name_; }

 protected:
  /// True if the request may run now; otherwise it runs again once the lock is free.
  template <class R>
  bool admitted(Reply<R>& reply) {
    return lock_->state.admit(reply.call());
  }

 private:
  std::string name_;
  std::shared_ptr<Object<LockState>> lock_;  // same owner as this state
};

/// Base of a handle to a Guarded state.
template <class State>
class Synchronized : public Handle<State> {
 public:
  /// The lock that makes a sequence of calls atomic (`with v.get_lock():` in Python). While a
  /// process holds it, every other process's requests to this object wait; in another OS
  /// process too, where the handle's lock is the served object's.
  RLock& get_lock() noexcept { return lock_; }
  const RLock& get_lock() const noexcept { return lock_; }
  const std::string& name() const noexcept { return this->state().name(); }

  /// What a handle in another OS process is made with after its owner: what the state's own
  /// handles there are made with, then the lock, lent with the object.
  auto local_part() const {
    if constexpr (requires { this->state().local_part(); })
      return std::tuple_cat(this->state().local_part(), std::tuple<RLock>(lock_));
    else return std::tuple<RLock>(lock_);
  }

 protected:
  template <class... Args>
  Synchronized(Origin origin, const char* kind, Args&&... args)
      : Synchronized(RLock(origin.owner), std::move(origin), kind, std::forward<Args>(args)...) {}
  /// One guarded by `lock` (an object served elsewhere: the served object's lock).
  // `origin` by reference: its owner is read for the lock before it is moved from.
  template <class... Args>
  Synchronized(RLock lock, Origin&& origin, const char* kind, Args&&... args)
      : Handle<State>(std::move(origin), kind, lock.object(), std::forward<Args>(args)...), lock_(std::move(lock)) {}

 private:
  RLock lock_;
};

}  // namespace csp::detail
