// The Lockable and TimedLockable members (lock, unlock, try_lock, try_lock_for, try_lock_until)
// of Lock, RLock, Semaphore and Condition, from their Python-named acquire and release.
#pragma once

#include <chrono>

#include "csp/shared/detail/owner.hpp"

namespace csp::detail {

/// `Derived` has acquire(bool blocking), acquire_until(Clock::time_point) and release().
template <class Derived>
class Lockable {
 public:
  /// Acquires if possible within `timeout`.
  template <class Rep, class Period>
  bool acquire(std::chrono::duration<Rep, Period> timeout) {
    return self().acquire_until(deadline_after(timeout));
  }

  void lock() { self().acquire(true); }
  bool try_lock() { return self().acquire(false); }
  void unlock() { self().release(); }
  template <class Rep, class Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> timeout) {
    return acquire(timeout);
  }
  template <class C, class D>
  bool try_lock_until(std::chrono::time_point<C, D> t) {
    return acquire(t - C::now());
  }

 private:
  Derived& self() noexcept { return static_cast<Derived&>(*this); }
};

}  // namespace csp::detail
