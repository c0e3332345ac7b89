// Lock and RLock: mutual exclusion between processes (and threads), owned by an owner actor.
// Both are Lockable and TimedLockable, so std::lock_guard and std::unique_lock work.
#pragma once

#include <memory>
#include <string>

#include "csp/shared/detail/lock_state.hpp"
#include "csp/shared/detail/lockable.hpp"

namespace csp {

class Condition;

namespace detail {

/// What Lock and RLock share; the owner records which process holds the lock.
class LockHandle : public Handle<LockState>, public Lockable<LockHandle> {
 public:
  /// A handle to a Lock or an RLock served by another OS process (a lent condition's lock), from
  /// `origin`, whose owner refuses what does not cross.
  explicit LockHandle(Origin origin);

  using Lockable<LockHandle>::acquire;
  /// Takes the lock, parking until it is free; with `blocking` false, only if free now.
  bool acquire(bool blocking = true) const;
  bool acquire_until(Clock::time_point deadline) const;
  /// Gives the lock back; csp::Error if the caller does not hold it.
  void release() const;
  /// Whether some process holds the lock now.
  bool locked() const;
  const std::string& name() const noexcept { return state().name(); }

 protected:
  LockHandle(Origin origin, const char* kind, bool reentrant);

 private:
  friend class csp::Condition;
  /// Gives up every level the caller holds (Condition::wait); how many there were.
  unsigned release_all() const;
  /// Takes `count` levels back.
  void restore(unsigned count) const;
};

}  // namespace detail

/// Python's multiprocessing.Lock: one holder at a time; only the holder may release it. If the
/// holder process ends with an exception, the lock is freed and its next acquirer is told; so it
/// is when the holder is a process of a multiprocess child that goes away. A lock passed to a
/// multiprocess child stays here, and each process of the child is a holder of its own.
class Lock : public detail::LockHandle {
 public:
  Lock();
  /// A lock run by `origin`'s owner (a Manager's).
  explicit Lock(detail::Origin origin);
};

/// Python's multiprocessing.RLock: its holder may take it again; it is free once released as
/// many times as taken.
class RLock : public detail::LockHandle {
 public:
  RLock();
  explicit RLock(detail::Origin origin);
  /// "RLock": a Lock's state, served under a name of its own.
  static const std::string& served_type();
};

}  // namespace csp
