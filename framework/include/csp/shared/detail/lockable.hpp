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
  bool acquire(std::chrono::duration<Rep, Period> timeout) const {
    return self().acquire_until(deadline_after(timeout));
  }

  void lock() const { self().acquire(true); }
  bool try_lock() const { return self().acquire(false); }
  void unlock() const { self().release(); }
  template <class Rep, class Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> timeout) const {
    return acquire(timeout);
  }
  template <class C, class D>
  bool try_lock_until(std::chrono::time_point<C, D> t) const {
    return acquire(t - C::now());
  }

 private:
  const Derived& self() const noexcept { return static_cast<const Derived&>(*this); }
};

}  // namespace csp::detail
